"""The inputs of ``DefectInferencer``: pairs of paths or arrays, or a pair
of folders, normalised to one record per pair with unique output names;
the planning of their output files and the wording of their failures."""
import os
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Union

import mmcv
import numpy as np
from mmengine import fileio

from mmdefect.datasets.pairing import pair_folders

Image = Union[str, np.ndarray]


@dataclass
class PairInput:
    """One (inspected, reference) pair on its way through the inferencer.

    ``error`` is set as soon as the pair is known to fail; ``out_files``
    are the files planned for it, ``written`` those actually written.
    """

    index: int
    img: Image
    ref: Image
    out_name: str
    error: Optional[str] = None
    out_files: Dict[str, str] = field(default_factory=dict)
    written: Dict[str, str] = field(default_factory=dict)
    reference_cached: bool = False

    @property
    def names(self) -> tuple:
        return name_of(self.img), name_of(self.ref)

    def rgb(self, which: str, arrays_only: bool = False) -> Optional[
            np.ndarray]:
        """The inspected (``'img'``) or reference (``'ref'``) image as RGB;
        ``None`` for a path with ``arrays_only``."""
        item = getattr(self, which)
        if isinstance(item, np.ndarray):
            return np.ascontiguousarray(item[..., ::-1])
        return None if arrays_only else mmcv.imfrombytes(
            fileio.get(item), channel_order='rgb')

    def pipeline_input(self) -> dict:
        """The dict that ``InferencerLoader`` and
        ``LoadRefImageFromNDArray`` read (an array or a path each)."""
        array = isinstance(self.img, np.ndarray), isinstance(
            self.ref, np.ndarray)
        return {('img' if array[0] else 'img_path'): self.img,
                ('ref_img' if array[1] else 'ref_path'): self.ref}


def name_of(item: Image) -> str:
    if isinstance(item, np.ndarray):
        return f'<array {"x".join(str(s) for s in item.shape)}>'
    return item


def array_problem(role: str, item: Any, channels: int) -> Optional[str]:
    """Why an in-memory image cannot go through the pipeline, or ``None``.

    The pipeline normalises with 8-bit statistics, so only what
    ``cv2.imread`` gives is accepted: ``uint8`` ``HxWxC`` BGR. A 16-bit or
    float array is refused rather than silently mis-scaled.
    """
    if not isinstance(item, np.ndarray):
        return None
    if item.ndim != 3 or item.shape[2] != channels:
        return (f'the {role} array has shape {item.shape}; expected '
                f'HxWx{channels} (BGR)')
    if item.dtype != np.uint8:
        return (f'the {role} array is {item.dtype}; expected uint8 BGR '
                f'(0-255) as cv2.imread gives. Convert it explicitly (e.g. '
                f'a 16-bit image with (a // 257).astype(np.uint8)), or pass '
                f'the file path: image files of any bit depth are decoded '
                f'to 8 bits by the pipeline')
    return None


def _is_path(obj: Any) -> bool:
    return isinstance(obj, (str, os.PathLike))


def _is_pair(obj: Any) -> bool:
    return isinstance(obj, (list, tuple)) and len(obj) == 2 and all(
        _is_path(x) or isinstance(x, np.ndarray) for x in obj)


def to_pair_inputs(inputs: Any, channels: int = 3) -> List[PairInput]:
    """One :class:`PairInput` per pair of ``inputs``.

    Args:
        inputs: An ``(inspected, reference)`` pair of paths or arrays, a
            list of such pairs, or a pair of folders (paired by
            :func:`~mmdefect.datasets.pairing.pair_folders`).
        channels (int): Channels of one image.

    Raises:
        TypeError: ``inputs`` is none of these forms.
        ValueError: One folder and one file; an empty folder.
    """
    if _is_pair(inputs) and all(map(_is_path, inputs)) and any(
            osp.isdir(x) for x in inputs):
        if not all(osp.isdir(x) for x in inputs):
            raise ValueError(f'DefectInferencer: {inputs[0]!s} and '
                             f'{inputs[1]!s} must both be folders or both '
                             'be images')
        found = pair_folders(*map(os.fspath, inputs))
        records = [
            PairInput(i, p.img, p.ref, osp.splitext(p.rel)[0], p.error)
            for i, p in enumerate(found)
        ]
    else:
        if _is_pair(inputs):
            inputs = [inputs]
        elif not isinstance(inputs, (list, tuple)):
            raise TypeError(
                'DefectInferencer: inputs must be an (inspected, reference) '
                'pair of paths/arrays, a list of such pairs, or a pair of '
                f'folders; got {type(inputs).__name__}')
        records = []
        for index, item in enumerate(inputs):
            if not _is_pair(item):
                raise TypeError(
                    f'DefectInferencer: input {index} is not an (inspected, '
                    'reference) pair of paths or arrays: '
                    f'{type(item).__name__}')
            img, ref = (x if isinstance(x, np.ndarray) else os.fspath(x)
                        for x in item)
            name = ('array' if isinstance(img, np.ndarray) else
                    osp.splitext(osp.basename(img))[0])
            records.append(PairInput(index, img, ref, name))
    for record in records:
        record.error = record.error or array_problem(
            'inspected', record.img, channels) or array_problem(
                'reference', record.ref, channels)
    seen = set()
    for record in records:  # unique output names in every mode
        if record.out_name == 'array' or record.out_name in seen:
            record.out_name = f'{record.out_name}_{record.index:06d}'
        seen.add(record.out_name)
    return records


def plan_outputs(records: List[PairInput], out_dirs: Dict[str, str],
                 overwrite: bool) -> None:
    """Fix every pair's output files (``<dir>/<out_name>.png`` per kind)
    before anything runs.

    Without ``overwrite`` an existing file among them is refused, so a run
    never replaces a file it did not write. With ``overwrite`` those files
    (and only those) are removed first, so a pair that fails this time
    leaves no stale output from an earlier run. Other files are untouched.

    Raises:
        FileExistsError: Planned outputs exist and ``overwrite`` is False.
    """
    existing = []
    for record in records:
        record.out_files = {
            kind: osp.join(folder, record.out_name + '.png')
            for kind, folder in out_dirs.items() if folder
        }
        existing += [f for f in record.out_files.values() if osp.lexists(f)]
    if existing and not overwrite:
        raise FileExistsError(
            f'DefectInferencer: {len(existing)} output file(s) exist, e.g. '
            f'{", ".join(existing[:3])}; choose an empty --out-dir or pass '
            'overwrite=True (--overwrite) to replace them')
    for path in existing:
        os.remove(path)


def describe_failure(err: BaseException, names: tuple,
                     size: Optional[tuple] = None,
                     min_side: Optional[Callable[[], int]] = None) -> str:
    """``err`` with the pair's files named (unless it names them) and what
    to do when the pair is too large for memory or, given its ``(H, W)``
    ``size`` and the model's ``min_side()``, too small for the model."""
    text = f'{type(err).__name__}: {err}'.rstrip(': ')
    if not any(str(n) in text for n in names):
        text = f'{names[0]} (ref {names[1]}): {text}'
    if isinstance(err, MemoryError) or 'allocate' in str(err):
        text += ('; the pair does not fit in memory as a whole: run in '
                 "sliding windows with --cfg-options model.test_cfg.mode="
                 'slide model.test_cfg.crop_size="(512,512)" '
                 'model.test_cfg.stride="(384,384)"')
    elif size is not None and min_side is not None and re.search(
            r'(?i)kernel size|sizes? should be greater', str(err)):
        text += (f'; the pair is {size[1]}x{size[0]} but the model needs at '
                 f'least {min_side()} pixels per side')
    return text


def min_input_side(run: Callable[[np.ndarray], Any],
                   limit: int = 8192) -> int:
    """The smallest side of a black square ``uint8`` image that ``run``
    accepts (doubling, then bisection; assumes larger sizes work too)."""
    def passes(side: int) -> bool:
        try:
            run(np.zeros((side, side, 3), np.uint8))
        except Exception:
            return False
        return True
    low, high = 1, 2
    while high < limit and not passes(high):
        low, high = high, high * 2
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if passes(mid) else (mid, high)
    return high


def fill_result(result: Any, record: PairInput, scores: np.ndarray,
                rule: Any, threshold: float,
                pred_mask: Optional[np.ndarray] = None) -> None:
    """Complete a ``PairResult`` from its score map and write its mask.

    The image score is ``rule``'s (a :class:`ScoreRule`), pixels and image
    are decided by ``score >= threshold``; the uint8 mask (the class map
    ``pred_mask`` of a segmentation model, else the defect mask) goes to
    ``record.out_files['pred']`` if planned. A write failure sets
    ``result.error`` and keeps the scores.
    """
    from mmdefect.evaluation.functional.scores import decide
    result.score_map = scores
    result.image_score = rule.image_score_of(scores)
    result.defect_mask = decide(scores, threshold)
    result.is_defective = decide(result.image_score, threshold)
    result.pred_mask = pred_mask
    mask = result.defect_mask if pred_mask is None else pred_mask
    out_file = record.out_files.get('pred')
    try:
        if out_file and mmcv.imwrite(mask.astype(np.uint8), out_file):
            record.written['pred'] = out_file
    except Exception as err:  # the scores are kept
        result.error = f'could not write {out_file}: {err}'

"""Base class of paired (inspected image + defect-free reference) datasets."""
import logging
import os.path as osp
from typing import Any, Dict, List, Optional, Union

import mmengine
from mmengine import fileio
from mmengine.logging import print_log
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from ..utils.file_checks import describe_empty_files
from .pairing import AmbiguousReferenceError, ReferenceFinder


@DATASETS.register_module()
class BasePairedDataset(BaseSegDataset):
    """Segmentation dataset whose samples come with a defect-free reference.

    Every data info holds ``img_path``, ``ref_path`` and (when labels exist)
    ``seg_map_path``, plus ``num_classes`` and ``ignore_index`` so that
    ``PackPairedSegInputs`` can reject out-of-range labels.  Three reference
    strategies (``ref_mode``):

    - ``'per_sample'`` (default): each sample has its own reference.  Without
      ``ann_file`` the reference is the file with the inspected image's
      relative stem under ``data_prefix['ref_path']`` and suffix
      ``ref_suffix``; without ``ref_suffix``, the file at the same relative
      path or else the only image there with the same stem (the rule of
      :mod:`mmdefect.datasets.pairing`, by which ``DefectInferencer`` pairs
      folders too).  With ``ann_file``, a line holding one token is a stem
      (mmseg's convention, the reference found by the same rule); a line
      ``<img> <ref> [<seg>]`` names the files explicitly, relative to the
      ``img_path``/``ref_path``/``seg_map_path`` prefixes.
    - ``'fixed'``: one reference per category.  ``fixed_ref`` is a path (all
      samples share it) or a dict ``{category: path}``, where a sample's
      category is the first folder of its path relative to
      ``data_prefix['img_path']``.  Relative paths are joined to
      ``data_root``.
    - ``'self'``: the reference is the inspected image itself (CAT-style
      training, where the two branches see differently augmented copies).

    Errors name the offending file or key: a missing reference (checked at
    load time when ``check_files=True``), an unknown category, and an empty
    dataset or split.

    A sample whose files turn out to be unreadable while training (a corrupt
    or truncated image, a wrong label) is handled by ``on_bad_sample``:
    ``'error'`` (default) stops with an error naming the sample's files;
    ``'skip'`` logs the files and the reason, counts the sample in
    ``bad_samples`` and lets mmengine fetch another sample (at most
    ``max_refetch`` times in a row, after which mmengine raises, so a
    dataset of broken files cannot hang a run).  Test-mode datasets always
    fail fast.

    Args:
        ref_mode (str): ``'per_sample'``, ``'fixed'`` or ``'self'``.
        ref_suffix (str, optional): suffix of reference files; defaults to
            ``img_suffix``.
        fixed_ref (str | dict, optional): references for ``ref_mode='fixed'``.
        check_files (bool): check that every reference exists when the data
            list is built. Defaults to True.
        on_bad_sample (str): ``'error'`` or ``'skip'``, see above.
        Other arguments: see :class:`mmseg.datasets.BaseSegDataset`.
    """

    REF_MODES = ('per_sample', 'fixed', 'self')
    BAD_SAMPLE_POLICIES = ('error', 'skip')

    def __init__(self,
                 *args,
                 ref_mode: str = 'per_sample',
                 ref_suffix: Optional[str] = None,
                 fixed_ref: Union[str, Dict[str, str], None] = None,
                 check_files: bool = True,
                 on_bad_sample: str = 'error',
                 **kwargs):
        if ref_mode not in self.REF_MODES:
            raise ValueError(f'{type(self).__name__}: ref_mode must be one of '
                             f'{self.REF_MODES}, got {ref_mode!r}')
        if ref_mode == 'fixed' and not fixed_ref:
            raise ValueError(f'{type(self).__name__}: ref_mode="fixed" needs '
                             f'fixed_ref (a path or a dict category -> path)')
        if on_bad_sample not in self.BAD_SAMPLE_POLICIES:
            raise ValueError(f'{type(self).__name__}: on_bad_sample must be '
                             f'one of {self.BAD_SAMPLE_POLICIES}, got '
                             f'{on_bad_sample!r}')
        self.on_bad_sample = on_bad_sample
        self.bad_samples = 0
        self.ref_mode = ref_mode
        self.ref_suffix = ref_suffix
        self.fixed_ref = fixed_ref
        self.check_files = check_files
        super().__init__(*args, **kwargs)

    def _describe_source(self) -> str:
        if self.ann_file and not osp.isdir(self.ann_file):
            return f'ann_file {self.ann_file}'
        return f'folder {self.data_prefix.get("img_path")!r} ' \
               f'(suffix {self.img_suffix!r})'

    def _fixed_ref_path(self, rel_img: str) -> str:
        fixed = self.fixed_ref
        if isinstance(fixed, str):
            path = fixed
        else:
            category = rel_img.replace('\\', '/').split('/')[0]
            if category not in fixed:
                raise KeyError(
                    f'{type(self).__name__}: no fixed_ref for category '
                    f'{category!r} (image {rel_img}); fixed_ref has '
                    f'{sorted(fixed)}')
            path = fixed[category]
        if self.data_root and not osp.isabs(path):
            path = osp.join(self.data_root, path)
        return path

    def _ref_path(self, rel_img_stem: str, img_path: str) -> str:
        if self.ref_mode == 'self':
            return img_path
        if self.ref_mode == 'fixed':
            return self._fixed_ref_path(rel_img_stem)
        ref_dir = self.data_prefix.get('ref_path')
        if not ref_dir:
            raise KeyError(f'{type(self).__name__}: ref_mode="per_sample" '
                           f'needs data_prefix["ref_path"]')
        if self.ref_suffix is not None:
            return osp.join(ref_dir, rel_img_stem + self.ref_suffix)
        if getattr(self, '_ref_finder', None) is None or \
                self._ref_finder.ref_dir != ref_dir:
            self._ref_finder = ReferenceFinder(
                ref_dir, backend_args=self.backend_args)
        try:
            return self._ref_finder.find(rel_img_stem + self.img_suffix)
        except AmbiguousReferenceError as err:
            raise AmbiguousReferenceError(
                f'{type(self).__name__}: {err}') from None

    def _info(self, img_path: str, ref_path: str,
              seg_map_path: Optional[str]) -> dict:
        info = dict(
            img_path=img_path,
            ref_path=ref_path,
            label_map=self.label_map,
            reduce_zero_label=self.reduce_zero_label,
            seg_fields=[],
            num_classes=len(self.metainfo['classes']),
            ignore_index=self.ignore_index)
        if seg_map_path is not None:
            info['seg_map_path'] = seg_map_path
        return info

    def _from_ann_file(self) -> List[dict]:
        img_dir = self.data_prefix.get('img_path', '')
        ref_dir = self.data_prefix.get('ref_path', '')
        ann_dir = self.data_prefix.get('seg_map_path')
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'{type(self).__name__}: ann_file {self.ann_file} not found')
        data_list = []
        lines = mmengine.list_from_file(
            self.ann_file, backend_args=self.backend_args)
        for num, line in enumerate(lines, 1):
            tokens = line.split()
            if not tokens:
                continue
            if len(tokens) == 1:
                stem = tokens[0]
                img_path = osp.join(img_dir, stem + self.img_suffix)
                ref_path = self._ref_path(stem, img_path)
                seg = osp.join(ann_dir, stem + self.seg_map_suffix) \
                    if ann_dir is not None else None
            elif len(tokens) in (2, 3):
                img_path = osp.join(img_dir, tokens[0])
                ref_path = osp.join(ref_dir, tokens[1])
                if len(tokens) == 3:
                    seg = osp.join(ann_dir or '', tokens[2])
                elif ann_dir is not None:
                    stem = osp.splitext(tokens[0])[0]
                    seg = osp.join(ann_dir, stem + self.seg_map_suffix)
                else:
                    seg = None
            else:
                raise ValueError(
                    f'{self.ann_file} line {num}: expected "<stem>" or '
                    f'"<img> <ref> [<seg>]", got {line.strip()!r}')
            data_list.append(self._info(img_path, ref_path, seg))
        return data_list

    def _from_folders(self) -> List[dict]:
        img_dir = self.data_prefix.get('img_path', '')
        ann_dir = self.data_prefix.get('seg_map_path')
        if not osp.isdir(img_dir):
            raise FileNotFoundError(
                f'{type(self).__name__}: image folder {img_dir!r} not found')
        data_list = []
        cut = len(self.img_suffix)
        for rel in fileio.list_dir_or_file(
                dir_path=img_dir,
                list_dir=False,
                suffix=self.img_suffix,
                recursive=True,
                backend_args=self.backend_args):
            stem = rel[:-cut] if cut else rel
            img_path = osp.join(img_dir, rel)
            seg = osp.join(ann_dir, stem + self.seg_map_suffix) \
                if ann_dir is not None else None
            data_list.append(
                self._info(img_path, self._ref_path(stem, img_path), seg))
        return sorted(data_list, key=lambda info: info['img_path'])

    def load_data_list(self) -> List[dict]:
        """Build the data list; see the class docstring for the rules."""
        if self.ann_file and not osp.isdir(self.ann_file):
            data_list = self._from_ann_file()
        else:
            data_list = self._from_folders()
        if not data_list:
            raise ValueError(f'{type(self).__name__}: no samples found in '
                             f'{self._describe_source()}')
        if self.check_files:
            missing = [
                info for info in data_list
                if not fileio.exists(info['ref_path'], self.backend_args)
            ]
            if missing:
                first = missing[0]
                raise FileNotFoundError(
                    f'{type(self).__name__}: {len(missing)} of '
                    f'{len(data_list)} reference images are missing, e.g. '
                    f'{first["ref_path"]} (reference of '
                    f'{first["img_path"]})')
        return data_list

    def prepare_data(self, idx: int) -> Any:
        """Run the pipeline; report a failing sample by its files."""
        info = self.get_data_info(idx)
        try:
            return self.pipeline(info)
        except Exception as err:
            files = ', '.join(
                f'{key}={info[key]}'
                for key in ('img_path', 'ref_path', 'seg_map_path')
                if key in info)
            empty = describe_empty_files(info)
            message = (f'{type(self).__name__}: sample {idx} ({files}) could '
                       f'not be prepared: ' + (f'{empty}; ' if empty else '')
                       + f'{type(err).__name__}: {err}')
            if self.test_mode or self.on_bad_sample == 'error':
                raise RuntimeError(
                    message + ' (set on_bad_sample="skip" in the dataset '
                    'config to skip such samples while training)') from err
            self.bad_samples += 1
            print_log(
                f'{message}; skipped ({self.bad_samples} skipped so far)',
                logger='current',
                level=logging.WARNING)
            return None

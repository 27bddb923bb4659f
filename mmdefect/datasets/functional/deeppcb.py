"""The rules of the DeepPCB data set (Tang et al., 2019), in one place.

Used by :class:`mmdefect.datasets.DeepPCBDataset`, the label converter
``tools/dataset_converters/deeppcb.py`` and
:class:`mmdefect.models.ClassicalDiffSegmentor`:

- class names and ids (the type numbers of the annotation files);
- the split lists (``trainval.txt``, ``test.txt``) and the paths a line
  stands for: the inspected image, its template, the box file and the label
  PNG the converter writes;
- the box files (``x1 y1 x2 y2 type`` per line);
- binarisation and the binarised difference of a test/template pair;
- the label rule that turns boxes and the difference into a label map.

Layout of the authors' release (https://github.com/tangsanli5201/DeepPCB)::

    PCBData/trainval.txt, PCBData/test.txt
        lines "groupA/B/<id>.jpg groupA/B_not/<id>.txt"
    PCBData/groupA/B/<id>_test.jpg      inspected image
    PCBData/groupA/B/<id>_temp.jpg      defect-free template
    PCBData/groupA/B_not/<id>.txt       boxes, "x1 y1 x2 y2 type" per line
                                        (space-separated; commas accepted)

Copper is dark in DeepPCB (black tracks and pads on white).
"""
import os
import os.path as osp
from typing import Iterable, List, NamedTuple, Optional, Sequence, Tuple

import cv2
import numpy as np

#: Class names; the index is the type number of the annotation files.
DEEPPCB_CLASSES = ('background', 'open', 'short', 'mousebite', 'spur',
                   'spurious_copper', 'pin_hole')
DEEPPCB_PALETTE = [[0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255],
                   [255, 255, 0], [255, 0, 255], [0, 255, 255]]
NUM_DEEPPCB_CLASSES = len(DEEPPCB_CLASSES)
#: Type names of the submission format of the authors' README (and their
#: evaluation script), index = class id.
DEEPPCB_SUBMISSION_NAMES = ('background', 'open', 'short', 'mousebite',
                            'spur', 'copper', 'pin-hole')
OPEN, SHORT, MOUSEBITE, SPUR, SPURIOUS_COPPER, PIN_HOLE = range(1, 7)

#: Split lists of the release, ``<name>.txt`` in ``PCBData``.
DEEPPCB_SPLITS = ('trainval', 'test')
#: Suffixes that turn a split-list entry ``groupA/B/<id>.jpg`` into files.
IMG_SUFFIX = '_test.jpg'
REF_SUFFIX = '_temp.jpg'
LABEL_SUFFIX = '.png'
#: Default grey-level binarisation threshold (pixel > threshold: substrate).
BINARY_THRESHOLD = 127

_ENTRY_FORMAT = '"groupA/B/<id>.jpg groupA/B_not/<id>.txt"'

Box = Tuple[int, int, int, int, int]


class SplitEntry(NamedTuple):
    """One line of a split list."""
    img: str  #: ``groupA/B/<id>.jpg``
    boxes: Optional[str]  #: ``groupA/B_not/<id>.txt`` or None
    line: int  #: line number in the list, from 1


def parse_split_lines(lines: Iterable[str],
                      source: str,
                      require_boxes: bool = True) -> List[SplitEntry]:
    """Image entry and box entry of each non-empty split-list line.

    Args:
        lines (Iterable[str]): the lines of a split list.
        source (str): the list's name, for error messages.
        require_boxes (bool): a line must name its box file; otherwise a
            line with the image entry alone gives ``(entry, None)``.

    Returns:
        list[SplitEntry]: image entry, box entry (or None), both
        ``/``-separated, and line number.

    Raises:
        ValueError: a line that is not ``groupA/B/<id>.jpg
            [groupA/B_not/<id>.txt]``, naming ``source`` and the line.
    """
    entries = []
    for num, line in enumerate(lines, 1):
        tokens = line.split()
        if not tokens:
            continue
        entry = tokens[0].replace('\\', '/')
        counts = (2, ) if require_boxes else (1, 2)
        if len(tokens) not in counts or not entry.endswith('.jpg') or \
                len(entry.split('/')) < 2:
            raise ValueError(f'{source} line {num}: expected {_ENTRY_FORMAT}'
                             f', got {line.strip()!r}')
        boxes = tokens[1].replace('\\', '/') if len(tokens) == 2 else None
        entries.append(SplitEntry(entry, boxes, num))
    return entries


def read_split(list_file: str, require_boxes: bool = True) -> List[SplitEntry]:
    """:func:`parse_split_lines` of a local split-list file."""
    with open(list_file) as f:
        return parse_split_lines(f, list_file, require_boxes)


def write_split_subset(data_root: str, split: str, num: int,
                       out_dir: str) -> str:
    """Write ``num`` evenly spaced lines of a split list; return the path.

    Line ``round(i * total / num)`` for ``i < num`` of
    ``<data_root>/<split>.txt``, so that every group of boards is
    represented, goes to ``<out_dir>/<split>_<num>pairs.txt`` (an existing
    file is replaced only by the same content).

    Raises:
        ValueError: an unknown split, or ``num`` not in ``1 .. total``.
    """
    if split not in DEEPPCB_SPLITS:
        raise ValueError(f'DeepPCB split must be one of {DEEPPCB_SPLITS}, '
                         f'got {split!r}')
    with open(osp.join(data_root, f'{split}.txt')) as f:
        lines = [line if line.endswith('\n') else line + '\n'
                 for line in f if line.strip()]
    if not 0 < num <= len(lines):
        raise ValueError(f'{num} pairs asked, {split}.txt of {data_root} '
                         f'has {len(lines)}')
    text = ''.join(lines[round(i * len(lines) / num)] for i in range(num))
    path = osp.join(out_dir, f'{split}_{num}pairs.txt')
    if osp.exists(path):
        with open(path) as f:
            if f.read() != text:
                raise FileExistsError(f'{path} exists with other lines; '
                                      f'choose another folder')
        return path
    os.makedirs(out_dir, exist_ok=True)
    with open(path, 'x') as f:
        f.write(text)
    return path


def find_pcbdata(src: str) -> str:
    """The folder holding the split lists: ``src`` or ``src/PCBData``."""
    for root in (src, osp.join(src, 'PCBData')):
        if all(osp.isfile(osp.join(root, f'{s}.txt')) for s in DEEPPCB_SPLITS):
            return root
    raise FileNotFoundError(
        f'{src}: expected the DeepPCB layout, i.e. trainval.txt and test.txt '
        f'in {src} or in {osp.join(src, "PCBData")}')


def entry_stem(img_entry: str) -> str:
    """``groupA/B/<id>`` of a split-list entry ``groupA/B/<id>.jpg``."""
    return img_entry.replace('\\', '/')[:-len('.jpg')]


def pair_paths(root: str,
               img_entry: str,
               img_suffix: str = IMG_SUFFIX,
               ref_suffix: str = REF_SUFFIX,
               ref_root: Optional[str] = None) -> Tuple[str, str]:
    """Inspected and template image paths of a split-list entry.

    ``root`` is the folder the entries are relative to (``PCBData``);
    ``ref_root`` (default ``root``) the one of the templates.
    """
    stem = entry_stem(img_entry)
    ref_root = root if ref_root is None else ref_root
    return (osp.join(root,
                     stem + img_suffix), osp.join(ref_root, stem + ref_suffix))


def label_rel_path(img_entry: str, suffix: str = LABEL_SUFFIX) -> str:
    """``<group>/<id>.png`` of a split-list entry ``<group>/B/<id>.jpg``:
    where the converter writes the label map, relative to its ``ann_dir``.
    """
    parts = entry_stem(img_entry).split('/')
    return f'{parts[0]}/{parts[-1]}{suffix}'


def read_boxes(ann_path: str) -> np.ndarray:
    """Boxes of one DeepPCB annotation file as an (M, 5) int64 array.

    Lines are ``x1 y1 x2 y2 type`` (space-separated in the released data,
    although the authors' readme says commas; both are accepted), ``type``
    in 1..6.
    """
    boxes = []
    with open(ann_path) as f:
        for num, line in enumerate(f, 1):
            tokens = line.replace(',', ' ').split()
            if not tokens:
                continue
            if len(tokens) != 5:
                raise ValueError(f'{ann_path} line {num}: expected '
                                 f'"x1 y1 x2 y2 type", got {line.strip()!r}')
            x1, y1, x2, y2, cls = (int(float(t)) for t in tokens)
            if not 1 <= cls < NUM_DEEPPCB_CLASSES:
                raise ValueError(
                    f'{ann_path} line {num}: type {cls} is not in '
                    f'1..{NUM_DEEPPCB_CLASSES - 1}')
            boxes.append((x1, y1, x2, y2, cls))
    return np.asarray(boxes, dtype=np.int64).reshape(-1, 5)


def copper_mask(image: np.ndarray,
                threshold: int = BINARY_THRESHOLD,
                copper_dark: bool = True) -> np.ndarray:
    """Binarise a BGR (H, W, 3) or grayscale (H, W) uint8 image.

    Returns the boolean copper mask: pixels ``<= threshold`` when copper is
    dark (DeepPCB), ``> threshold`` otherwise.
    """
    if image.ndim == 3:
        image = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_BGR2GRAY)
    return image <= threshold if copper_dark else image > threshold


def open_close(mask: np.ndarray, open_size: int,
               close_size: int) -> np.ndarray:
    """Boolean mask after an opening, then a closing, with squares of side
    ``open_size`` and ``close_size`` (a side <= 1 skips that step)."""
    cleaned = mask.astype(np.uint8)
    if open_size > 1:
        cleaned = cv2.morphologyEx(cleaned, cv2.MORPH_OPEN,
                                   np.ones((open_size, open_size), np.uint8))
    if close_size > 1:
        cleaned = cv2.morphologyEx(cleaned, cv2.MORPH_CLOSE,
                                   np.ones((close_size, close_size), np.uint8))
    return cleaned > 0


def copper_difference(test_cu: np.ndarray,
                      ref_cu: np.ndarray,
                      kind: str = 'any') -> np.ndarray:
    """Where two copper masks disagree.

    ``kind``: ``'extra'`` (copper in the test image, not in the template),
    ``'missing'`` (in the template, not in the test image) or ``'any'``
    (either).
    """
    if kind == 'extra':
        return test_cu & ~ref_cu
    if kind == 'missing':
        return ref_cu & ~test_cu
    if kind == 'any':
        return test_cu ^ ref_cu
    raise ValueError(f"kind must be 'extra', 'missing' or 'any', got "
                     f'{kind!r}')


def difference_mask(test: np.ndarray,
                    template: np.ndarray,
                    binary_threshold: int = BINARY_THRESHOLD,
                    kernel: int = 3) -> np.ndarray:
    """Cleaned boolean mask of the pixels where the binarised images differ.

    Both images are binarised at ``binary_threshold``
    (:func:`copper_mask`); the mask is where they disagree, cleaned by an
    opening and then a closing with a ``kernel`` x ``kernel`` square
    (:func:`open_close`; 1 = no clean-up), which removes the one-pixel
    misalignment and JPEG fringes along copper edges and fills pinholes
    inside a defect.
    """
    if test.shape != template.shape:
        raise ValueError(f'test {test.shape} and template {template.shape} '
                         f'differ in size')
    diff = copper_difference(
        copper_mask(test, binary_threshold),
        copper_mask(template, binary_threshold))
    return open_close(diff, kernel, kernel)


def derive_label(test: np.ndarray,
                 template: np.ndarray,
                 boxes: Sequence[Box],
                 binary_threshold: int = BINARY_THRESHOLD,
                 kernel: int = 3) -> Tuple[np.ndarray, List[bool]]:
    """Pixel label map of one pair derived from its boxes.

    1. The difference mask is :func:`difference_mask` of the pair.
    2. A box (``x1 y1 x2 y2``, half-open pixel ranges ``[x1, x2) x
       [y1, y2)``, clipped to the image) labels the difference pixels
       inside it with its type.  If no difference pixel lies inside the
       box, the whole box gets its type.
    3. Pixels outside every box are 0, even where the images differ.
    4. Overlapping boxes are painted from the largest to the smallest area
       (ties: file order, later lines painted later), so the smaller, more
       specific box wins.

    Args:
        test (np.ndarray): grayscale inspected image (H, W), uint8.
        template (np.ndarray): grayscale template of the same size.
        boxes (Sequence): ``(x1, y1, x2, y2, type)`` boxes, e.g. the (M, 5)
            array of :func:`read_boxes`.
        binary_threshold (int): grayscale binarisation threshold.
        kernel (int): side of the square opening/closing element.

    Returns:
        tuple: the uint8 label map (H, W) and, for each box in input order,
        whether it fell back to the whole box.
    """
    diff = difference_mask(test, template, binary_threshold, kernel)
    height, width = diff.shape
    label = np.zeros((height, width), np.uint8)
    fallback = [False] * len(boxes)
    order = sorted(
        range(len(boxes)),
        key=lambda i: (-(boxes[i][2] - boxes[i][0]) *
                       (boxes[i][3] - boxes[i][1]), i))
    for i in order:
        x1, y1, x2, y2, cls = boxes[i]
        x1, x2 = max(0, x1), min(width, x2)
        y1, y2 = max(0, y1), min(height, y2)
        if x2 <= x1 or y2 <= y1:
            continue
        region = diff[y1:y2, x1:x2]
        crop = label[y1:y2, x1:x2]
        if region.any():
            crop[region] = cls
        else:
            crop[...] = cls
            fallback[i] = True
    return label, fallback

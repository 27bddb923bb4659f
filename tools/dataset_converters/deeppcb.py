"""Derive pixel labels for DeepPCB (template/test PCB pairs with boxes).

    python tools/dataset_converters/deeppcb.py ../shared/data/DeepPCB \\
        data/deeppcb_labels --workers 2

``src`` is the authors' repository layout (https://github.com/tangsanli5201/
DeepPCB): either its root or its ``PCBData`` folder, holding::

    PCBData/trainval.txt, PCBData/test.txt
        lines "groupA/B/<id>.jpg groupA/B_not/<id>.txt"
    PCBData/groupA/B/<id>_test.jpg      inspected image
    PCBData/groupA/B/<id>_temp.jpg      defect-free template
    PCBData/groupA/B_not/<id>.txt       boxes, "x1 y1 x2 y2 type" per line
                                        (space-separated; commas accepted)

Output (read by :class:`mmdefect.datasets.DeepPCBDataset` through
``data_prefix=dict(seg_map_path='<out>/ann_dir')``)::

    out/ann_dir/groupA/<id>.png         uint8 labels, 0 background, 1-6
    out/label_stats.json                parameters and per-split counts

Label rule (:func:`derive_label`):

1. Both grayscale images are binarised at ``binary_threshold`` (pixel >
   threshold -> 255, else 0; DeepPCB images are already binary up to JPEG
   noise); the difference mask is where the binarised test and template
   disagree (their absolute difference is 255).
2. The difference mask is cleaned with a morphological opening and then a
   closing with a ``kernel`` x ``kernel`` square (3 by default), which
   removes the one-pixel misalignment and JPEG fringes along copper edges
   and fills pinholes inside a defect.
3. A box (``x1 y1 x2 y2``, half-open pixel ranges ``[x1, x2) x [y1, y2)``,
   clipped to the image) labels the cleaned difference pixels inside it
   with its type (1 open, 2 short, 3 mousebite, 4 spur, 5 spurious copper,
   6 pin-hole).  If no cleaned difference pixel lies inside the box, the
   whole box gets its type.
4. Pixels outside every box are 0, even where the images differ.
5. Overlapping boxes: boxes are painted from the largest to the smallest
   area (ties: file order, later lines painted later), so where two boxes'
   regions overlap the smaller, more specific box wins.

The per-split report lists, per class, the labelled pixels, the boxes and
the boxes that fell back to the whole box (rule 3).  An existing non-empty
output folder is refused unless ``--overwrite`` is given, which replaces
only ``ann_dir`` and ``label_stats.json``.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import time
from multiprocessing import Pool
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from mmdefect.datasets.deeppcb import read_deeppcb_boxes

CLASSES = ('background', 'open', 'short', 'mousebite', 'spur',
           'spurious_copper', 'pin_hole')
NUM_CLASSES = len(CLASSES)
SPLITS = ('trainval', 'test')
STATS_FILE = 'label_stats.json'

Box = Tuple[int, int, int, int, int]


def find_pcbdata(src: str) -> str:
    """Return the folder holding the split lists (``src`` or its PCBData)."""
    for root in (src, osp.join(src, 'PCBData')):
        if all(osp.isfile(osp.join(root, f'{s}.txt')) for s in SPLITS):
            return root
    raise FileNotFoundError(
        f'{src}: expected the DeepPCB layout, i.e. trainval.txt and test.txt '
        f'in {src} or in {osp.join(src, "PCBData")}')


def read_split(list_file: str) -> List[Tuple[str, str]]:
    """``(image entry, annotation entry)`` of each line of a split list."""
    entries = []
    with open(list_file) as f:
        for num, line in enumerate(f, 1):
            tokens = line.split()
            if not tokens:
                continue
            if len(tokens) != 2 or not tokens[0].endswith('.jpg'):
                raise ValueError(
                    f'{list_file} line {num}: expected "groupA/B/<id>.jpg '
                    f'groupA/B_not/<id>.txt", got {line.strip()!r}')
            entries.append((tokens[0], tokens[1]))
    return entries


def pair_paths(root: str, img_entry: str) -> Tuple[str, str]:
    """Test and template image paths of a split-list image entry."""
    stem = osp.join(root, img_entry[:-len('.jpg')])
    return stem + '_test.jpg', stem + '_temp.jpg'


def label_rel_path(img_entry: str) -> str:
    """``<group>/<id>.png`` of a split-list entry ``<group>/B/<id>.jpg``."""
    parts = img_entry.replace('\\', '/').split('/')
    stem = osp.splitext(parts[-1])[0]
    return f'{parts[0]}/{stem}.png'


def difference_mask(test: np.ndarray,
                    template: np.ndarray,
                    binary_threshold: int = 127,
                    kernel: int = 3) -> np.ndarray:
    """Cleaned boolean mask of the pixels where the binarised images differ.

    See rules 1 and 2 of the module docstring.
    """
    if test.shape != template.shape:
        raise ValueError(f'test {test.shape} and template {template.shape} '
                         f'differ in size')
    _, test_bin = cv2.threshold(test, binary_threshold, 255,
                                cv2.THRESH_BINARY)
    _, temp_bin = cv2.threshold(template, binary_threshold, 255,
                                cv2.THRESH_BINARY)
    diff = cv2.absdiff(test_bin, temp_bin)
    if kernel > 1:
        element = np.ones((kernel, kernel), np.uint8)
        diff = cv2.morphologyEx(diff, cv2.MORPH_OPEN, element)
        diff = cv2.morphologyEx(diff, cv2.MORPH_CLOSE, element)
    return diff > 0


def derive_label(test: np.ndarray,
                 template: np.ndarray,
                 boxes: Sequence[Box],
                 binary_threshold: int = 127,
                 kernel: int = 3) -> Tuple[np.ndarray, List[bool]]:
    """Label map of one pair (see the module docstring for the rule).

    Args:
        test (np.ndarray): grayscale inspected image (H, W), uint8.
        template (np.ndarray): grayscale template of the same size.
        boxes (Sequence): ``(x1, y1, x2, y2, type)`` boxes, e.g. the (M, 5)
            array of :func:`mmdefect.datasets.deeppcb.read_deeppcb_boxes`.
        binary_threshold (int): grayscale binarisation threshold.
        kernel (int): side of the square opening/closing element (1 = no
            clean-up).

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


def _convert_one(job: tuple) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    root, img_entry, ann_entry, out_path, binary_threshold, kernel = job
    test_path, temp_path = pair_paths(root, img_entry)
    images = []
    for path in (test_path, temp_path):
        image = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
        if image is None:
            raise FileNotFoundError(f'cannot read {path} (split entry '
                                    f'{img_entry})')
        images.append(image)
    boxes = read_deeppcb_boxes(osp.join(root, ann_entry))
    label, fallback = derive_label(images[0], images[1], boxes,
                                   binary_threshold, kernel)
    if not cv2.imwrite(out_path, label):
        raise OSError(f'cannot write {out_path}')
    pixels = np.bincount(label.ravel(), minlength=NUM_CLASSES)
    box_counts = np.zeros(NUM_CLASSES, np.int64)
    fallback_counts = np.zeros(NUM_CLASSES, np.int64)
    for box, fell_back in zip(boxes, fallback):
        box_counts[box[4]] += 1
        fallback_counts[box[4]] += fell_back
    return pixels, box_counts, fallback_counts


def convert(src: str,
            out: str,
            splits: Sequence[str] = SPLITS,
            limit: Optional[int] = None,
            binary_threshold: int = 127,
            kernel: int = 3,
            workers: int = 1,
            overwrite: bool = False) -> Dict[str, dict]:
    """Write the label PNGs of ``splits`` and return per-split counts.

    Args:
        src (str): DeepPCB root or its ``PCBData`` folder.
        out (str): output folder (``ann_dir`` and ``label_stats.json``).
        splits (Sequence[str]): split-list names (``<name>.txt`` in
            PCBData).
        limit (int, optional): convert only the first ``limit`` pairs of
            each split (quick tests).
        binary_threshold (int): grayscale binarisation threshold.
        kernel (int): opening/closing element side.
        workers (int): worker processes.
        overwrite (bool): replace the outputs of a non-empty ``out``.

    Returns:
        dict: ``{split: {'pairs', 'pixels', 'boxes', 'fallback_boxes'}}``
        where the last three map class names to counts.
    """
    root = find_pcbdata(src)
    if osp.isdir(out) and os.listdir(out):
        if not overwrite:
            raise FileExistsError(
                f'{out} is not empty; pass --overwrite (overwrite=True) to '
                f'replace its ann_dir and {STATS_FILE}')
        shutil.rmtree(osp.join(out, 'ann_dir'), ignore_errors=True)
        if osp.isfile(osp.join(out, STATS_FILE)):
            os.remove(osp.join(out, STATS_FILE))
    jobs = {}
    for split in splits:
        entries = read_split(osp.join(root, f'{split}.txt'))
        if limit is not None:
            entries = entries[:limit]
        split_jobs = []
        for img_entry, ann_entry in entries:
            out_path = osp.join(out, 'ann_dir', label_rel_path(img_entry))
            os.makedirs(osp.dirname(out_path), exist_ok=True)
            split_jobs.append((root, img_entry, ann_entry, out_path,
                               binary_threshold, kernel))
        jobs[split] = split_jobs
    stats = {}
    pool = Pool(workers) if workers > 1 else None
    try:
        for split, split_jobs in jobs.items():
            if pool is None:
                results = map(_convert_one, split_jobs)
            else:
                results = pool.imap(_convert_one, split_jobs, chunksize=16)
            pixels = np.zeros(NUM_CLASSES, np.int64)
            boxes = np.zeros(NUM_CLASSES, np.int64)
            fallback = np.zeros(NUM_CLASSES, np.int64)
            for pix, box, fall in results:
                pixels += pix
                boxes += box
                fallback += fall
            stats[split] = dict(
                pairs=len(split_jobs),
                pixels=dict(zip(CLASSES, pixels.tolist())),
                boxes=dict(zip(CLASSES[1:], boxes[1:].tolist())),
                fallback_boxes=dict(zip(CLASSES[1:], fallback[1:].tolist())))
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    with open(osp.join(out, STATS_FILE), 'w') as f:
        json.dump(
            dict(
                source=osp.abspath(root),
                binary_threshold=binary_threshold,
                kernel=kernel,
                limit=limit,
                splits=stats),
            f,
            indent=2)
    return stats


def format_stats(stats: Dict[str, dict]) -> str:
    """A per-split table of pixels, boxes and whole-box fallbacks."""
    lines = []
    for split, s in stats.items():
        total = sum(s['pixels'].values())
        lines.append(f'{split}: {s["pairs"]} pairs, {total} pixels')
        lines.append(f'  {"class":<16}{"pixels":>12}{"share %":>10}'
                     f'{"boxes":>8}{"whole-box":>11}')
        for name in CLASSES:
            pix = s['pixels'][name]
            box = s['boxes'].get(name, '')
            fall = s['fallback_boxes'].get(name, '')
            lines.append(f'  {name:<16}{pix:>12}{100 * pix / total:>10.3f}'
                         f'{box:>8}{fall:>11}')
    return '\n'.join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Write DeepPCB pixel labels derived from the boxes and '
        'the test/template difference.')
    parser.add_argument('src', help='DeepPCB root or its PCBData folder')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument(
        '--splits',
        nargs='+',
        default=list(SPLITS),
        help='split lists to convert (default: trainval test)')
    parser.add_argument(
        '--limit',
        type=int,
        help='convert only the first N pairs of each split')
    parser.add_argument(
        '--binary-threshold',
        type=int,
        default=127,
        help='grayscale binarisation threshold (default 127)')
    parser.add_argument(
        '--kernel',
        type=int,
        default=3,
        help='side of the opening/closing element (default 3, 1 = none)')
    parser.add_argument(
        '--workers', type=int, default=1, help='worker processes')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace ann_dir and label_stats.json of a non-empty output '
        'folder')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    try:
        stats = convert(
            args.src,
            args.out_dir,
            splits=args.splits,
            limit=args.limit,
            binary_threshold=args.binary_threshold,
            kernel=args.kernel,
            workers=args.workers,
            overwrite=args.overwrite)
    except (FileExistsError, FileNotFoundError) as err:
        raise SystemExit(f'error: {err}') from err
    elapsed = time.perf_counter() - start
    pairs = sum(s['pairs'] for s in stats.values())
    print(format_stats(stats))
    print(f'wrote {pairs} label maps to '
          f'{osp.join(args.out_dir, "ann_dir")} in {elapsed:.1f} s')


if __name__ == '__main__':
    main()

"""Derive pixel labels for DeepPCB (template/test PCB pairs with boxes).

    python tools/dataset_converters/deeppcb.py ../shared/data/DeepPCB \\
        data/deeppcb_labels --workers 2

``src`` is the authors' repository (https://github.com/tangsanli5201/DeepPCB):
either its root or its ``PCBData`` folder with the split lists, images and
box files laid out as :mod:`mmdefect.datasets.functional.deeppcb` describes.

Output (read by :class:`mmdefect.datasets.DeepPCBDataset` through
``data_prefix=dict(seg_map_path='<out>/ann_dir')``)::

    out/ann_dir/groupA/<id>.png         uint8 labels, 0 background, 1-6
    out/label_stats.json                parameters and per-split counts

Label rule: :func:`mmdefect.datasets.functional.deeppcb.derive_label`
(inside each box, the pixels where the binarised test and template differ,
after an opening and a closing, get the box's type; a box without such a
pixel is labelled whole; pixels outside boxes are background; where boxes
overlap the smaller box wins).  The split lists, paths and box files follow
the same module.

The per-split report lists, per class, the labelled pixels, the boxes and
the boxes that fell back to the whole box.  An existing non-empty
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
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np

from mmdefect.datasets.functional.deeppcb import (
    DEEPPCB_CLASSES, DEEPPCB_SPLITS, NUM_DEEPPCB_CLASSES, derive_label,
    find_pcbdata, label_rel_path, pair_paths, read_boxes, read_split)

STATS_FILE = 'label_stats.json'


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
    boxes = read_boxes(osp.join(root, ann_entry))
    label, fallback = derive_label(images[0], images[1], boxes,
                                   binary_threshold, kernel)
    if not cv2.imwrite(out_path, label):
        raise OSError(f'cannot write {out_path}')
    pixels = np.bincount(label.ravel(), minlength=NUM_DEEPPCB_CLASSES)
    box_counts = np.zeros(NUM_DEEPPCB_CLASSES, np.int64)
    fallback_counts = np.zeros(NUM_DEEPPCB_CLASSES, np.int64)
    for box, fell_back in zip(boxes, fallback):
        box_counts[box[4]] += 1
        fallback_counts[box[4]] += fell_back
    return pixels, box_counts, fallback_counts


def convert(src: str,
            out: str,
            splits: Sequence[str] = DEEPPCB_SPLITS,
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
        for entry in entries:
            out_path = osp.join(out, 'ann_dir', label_rel_path(entry.img))
            os.makedirs(osp.dirname(out_path), exist_ok=True)
            split_jobs.append((root, entry.img, entry.boxes, out_path,
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
            pixels = np.zeros(NUM_DEEPPCB_CLASSES, np.int64)
            boxes = np.zeros(NUM_DEEPPCB_CLASSES, np.int64)
            fallback = np.zeros(NUM_DEEPPCB_CLASSES, np.int64)
            for pix, box, fall in results:
                pixels += pix
                boxes += box
                fallback += fall
            stats[split] = dict(
                pairs=len(split_jobs),
                pixels=dict(zip(DEEPPCB_CLASSES, pixels.tolist())),
                boxes=dict(zip(DEEPPCB_CLASSES[1:], boxes[1:].tolist())),
                fallback_boxes=dict(
                    zip(DEEPPCB_CLASSES[1:], fallback[1:].tolist())))
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
        for name in DEEPPCB_CLASSES:
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
        default=list(DEEPPCB_SPLITS),
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

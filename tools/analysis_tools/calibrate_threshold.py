"""Calibrate the defect threshold on validation data and store it in a copy
of the checkpoint.

    python tools/analysis_tools/calibrate_threshold.py CONFIG CHECKPOINT \
        [--mode quantile --q 0.999 | --mode f1] [--out NEW.pth]

The model runs over the config's ``val_dataloader`` (``--split`` to change)
and the per-pixel defect scores are those of ``DefectInferencer``.

* ``--mode quantile`` (default): the ``q``-quantile of the pixel scores of
  the defect-free images (no defect pixel in their label); about ``1 - q``
  of normal pixels end up above it.
* ``--mode f1``: the threshold maximising the pixel F1 score on all
  labelled images.

Both come from :mod:`mmdefect.evaluation.thresholds` and are exact, so the
scores of all used pixels are held in memory (at the peak about 12 bytes
per pixel for ``quantile`` and a few tens for ``f1``). The result goes to
``meta['defect_threshold']`` and ``meta['defect_threshold_mode']``
(details in ``meta['defect_threshold_calibration']``) of a NEW checkpoint
file, by default ``<checkpoint>_calibrated.pth``; an existing file is never
overwritten. ``DefectInferencer`` and ``tools/infer.py`` use the stored
threshold unless one is passed explicitly.
"""
import argparse
import os
import os.path as osp
import sys
import tempfile
from typing import List, Optional

import numpy as np
import torch
from mmengine.runner.checkpoint import CheckpointLoader

from mmdefect.apis import (DefectInferencer, add_inferencer_args,
                           build_inferencer)
from mmdefect.evaluation.thresholds import (f1_optimal_threshold,
                                            quantile_threshold)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_inferencer_args(parser, 'checkpoint file (not modified)')
    parser.add_argument(
        '--mode', choices=['quantile', 'f1'], default='quantile',
        help='quantile of defect-free pixel scores, or pixel-F1-optimal')
    parser.add_argument(
        '--q', type=float, default=0.999,
        help='quantile for --mode quantile (default 0.999)')
    parser.add_argument(
        '--split', default='val', choices=['val', 'test'],
        help='dataloader of the config to calibrate on (default val)')
    parser.add_argument(
        '--out', help='new checkpoint (default <checkpoint>_calibrated.pth)')
    parser.add_argument(
        '--ignore-index', type=int, default=255,
        help='label value excluded from calibration (default 255)')
    return parser.parse_args(argv)


def default_output(checkpoint: str) -> str:
    """``<checkpoint without .pth>_calibrated.pth``."""
    stem = checkpoint[:-4] if checkpoint.endswith('.pth') else checkpoint
    return stem + '_calibrated.pth'


def calibrate(inferencer: DefectInferencer,
              mode: str,
              q: float = 0.999,
              split: str = 'val',
              ignore_index: int = 255,
              show_progress: bool = True) -> dict:
    """Run the model over ``split`` and compute the threshold.

    Returns:
        dict: ``threshold`` and the calibration details stored in the
        checkpoint (``mode``, ``split``, ``num_images``, ``num_pixels``,
        and ``q`` + ``num_normal_images`` or ``f1``).

    Raises:
        ValueError: the split has no labels, or no defect-free image
            (quantile mode).
    """
    scores: List[np.ndarray] = []
    labels: List[np.ndarray] = []
    num_images = num_normal = 0
    for item in inferencer.dataset_scores(split, show_progress=show_progress):
        num_images += 1
        if item['labels'] is None:
            raise ValueError(
                f'calibration needs labels, but the {split} pipeline loads '
                f'none for {item["img_path"]}; add LoadAnnotations')
        valid = item['labels'] != ignore_index
        defect = valid & (item['labels'] > 0)
        if mode == 'quantile':
            if not defect.any():
                num_normal += 1
                scores.append(item['score'][valid])
        else:
            scores.append(item['score'][valid])
            labels.append(defect[valid])
    details = dict(mode=mode, split=split, num_images=num_images)
    if num_images == 0:
        raise ValueError(f'the {split} set is empty')
    if mode == 'quantile':
        if num_normal == 0:
            raise ValueError(
                f'no defect-free image among the {num_images} {split} '
                f'images; quantile calibration needs some, or use --mode f1')
        threshold = quantile_threshold(scores, q=q)
        details.update(q=float(q), num_normal_images=num_normal)
    else:
        threshold, f1 = f1_optimal_threshold(scores, labels)
        details.update(f1=float(f1))
    details['num_pixels'] = int(sum(s.size for s in scores))
    details['threshold'] = float(threshold)
    return details


def write_calibrated(checkpoint: str, out: str, details: dict) -> None:
    """Copy ``checkpoint`` to ``out`` with the threshold in its ``meta``.

    The checkpoint is read with mmengine's ``CheckpointLoader`` (mmdefect's
    safe loader); ``out`` is written to a temporary file first and must not
    exist.
    """
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    if 'state_dict' not in ckpt:
        ckpt = dict(state_dict=ckpt)
    meta = dict(ckpt.get('meta') or {})
    meta['defect_threshold'] = float(details['threshold'])
    meta['defect_threshold_mode'] = details['mode']
    meta['defect_threshold_calibration'] = dict(
        details, source_checkpoint=osp.abspath(checkpoint))
    ckpt['meta'] = meta
    out_dir = osp.dirname(osp.abspath(out))
    os.makedirs(out_dir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix='.' + osp.basename(out), suffix='.tmp', dir=out_dir)
    os.close(fd)
    try:
        torch.save(ckpt, tmp)
        if osp.exists(out):
            raise FileExistsError(f'{out} appeared during calibration; '
                                  f'not overwriting it')
        os.replace(tmp, out)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def check_output(checkpoint: str, out: str) -> Optional[str]:
    """Why ``out`` cannot be written, or ``None``."""
    if not osp.isfile(checkpoint):
        return f'checkpoint {checkpoint} not found'
    if osp.exists(out) and osp.samefile(out, checkpoint):
        return (f'--out {out} is the input checkpoint; the input is never '
                f'overwritten')
    if osp.exists(out):
        return (f'{out} already exists; remove it or choose another path '
                f'with --out')
    return None


def main(argv=None) -> int:
    args = parse_args(argv)
    if not 0.0 <= args.q <= 1.0:
        print(f'--q must be in [0, 1], got {args.q}', file=sys.stderr)
        return 2
    out = args.out or default_output(args.checkpoint)
    problem = check_output(args.checkpoint, out)
    if problem:
        print(f'calibrate_threshold: {problem}', file=sys.stderr)
        return 1
    inferencer = build_inferencer(args)
    try:
        details = calibrate(inferencer, args.mode, args.q, args.split,
                            args.ignore_index, not args.no_progress)
    except ValueError as err:
        print(f'calibrate_threshold: {err}', file=sys.stderr)
        return 1
    write_calibrated(args.checkpoint, out, details)
    extra = (f'q={details["q"]}, {details["num_normal_images"]} defect-free '
             f'images' if args.mode == 'quantile' else
             f'F1={details["f1"]:.4f}')
    print(f'threshold {details["threshold"]:.6g} ({args.mode}, {extra}, '
          f'{details["num_images"]} {args.split} images, '
          f'{details["num_pixels"]} pixels)')
    print(f'written to {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""Score saved anomaly maps with mmdefect's ``AnomalyMetric``.

    python tools/benchmarks/score_maps.py MAPS.npz [--out metrics.json]

Any model's maps can be scored the same way (anomalib's DRAEM from
``anomalib_draem_mtd.py``, CAT, ...). The ``.npz`` holds

- ``maps``: float anomaly maps, ``(N, H, W)`` or ``(N, 1, H, W)``, higher =
  more anomalous;
- ``masks``: integer labels of the same shape: 0 normal, 1 defect, 255
  ignored (e.g. padding). Soft masks must be binarised before saving (MTD:
  defect = value > 127).

Each map goes through ``AnomalyMetric(score_key='anomaly_map')`` as a data
sample with ``gt_sem_seg``, exactly as in ``tools/test.py``, and the script
prints image AUROC, pixel AUROC, PRO, AP (image and pixel), F1-max and its
threshold. ``--out`` writes them as JSON and is never overwritten.
"""
import argparse
import json
import os.path as osp

import numpy as np

LABELS = (0, 1, 255)
PRINTED = ('image_AUROC', 'pixel_AUROC', 'PRO', 'AP_det', 'AP_loc',
           'F1_max', 'threshold')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Score an npz of anomaly maps and masks with '
        "mmdefect's AnomalyMetric.")
    parser.add_argument('npz', help='file with maps and masks')
    parser.add_argument('--maps-key', default='maps')
    parser.add_argument('--masks-key', default='masks')
    parser.add_argument('--image-score', default='max',
                        choices=['max', 'topk_mean'])
    parser.add_argument('--topk', type=float, default=100,
                        help="'topk_mean': pixels (>= 1) or a fraction of "
                        'the pixels (< 1)')
    parser.add_argument('--binning', default='float',
                        choices=['float', 'linear', 'exact'])
    parser.add_argument('--fpr-limit', type=float, default=0.3)
    parser.add_argument('--out', help='JSON file for the metrics (refused '
                        'if it exists)')
    args = parser.parse_args(argv)
    if args.out and osp.exists(args.out):
        parser.error(f'{args.out} exists; choose another --out (results '
                     'are never overwritten)')
    args.topk = int(args.topk) if args.topk >= 1 else args.topk
    return args


def load_maps(path, maps_key='maps', masks_key='masks'):
    """``(maps, masks)`` of an npz as ``(N, H, W)`` float32 and int64.

    Raises:
        FileNotFoundError / KeyError / ValueError naming ``path`` and what
        was expected.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such file')
    with np.load(path, allow_pickle=False) as data:
        missing = [k for k in (maps_key, masks_key) if k not in data.files]
        if missing:
            raise KeyError(f'{path} has no {missing} (it has '
                           f'{sorted(data.files)}); expected {maps_key!r} '
                           f'and {masks_key!r} arrays')
        maps, masks = data[maps_key], data[masks_key]
    maps, masks = (_squeeze(a, path, key)
                   for a, key in ((maps, maps_key), (masks, masks_key)))
    if maps.shape != masks.shape:
        raise ValueError(f'{path}: {maps_key!r} has shape {maps.shape} but '
                         f'{masks_key!r} has {masks.shape}; resize the maps '
                         'to the masks (nearest for masks) before saving')
    if not np.issubdtype(maps.dtype, np.floating):
        raise ValueError(f'{path}: {maps_key!r} must be float scores, got '
                         f'{maps.dtype}')
    if masks.dtype == bool:
        masks = masks.astype(np.uint8)
    if not np.issubdtype(masks.dtype, np.integer):
        raise ValueError(f'{path}: {masks_key!r} must be integer labels '
                         f'(0 normal, 1 defect, 255 ignored), got '
                         f'{masks.dtype}')
    values = np.unique(masks)
    unexpected = sorted(set(values.tolist()) - set(LABELS))
    if unexpected:
        raise ValueError(
            f'{path}: {masks_key!r} holds the values {unexpected[:10]}; '
            'expected only 0 (normal), 1 (defect) and 255 (ignored). '
            'Binarise soft masks before saving (MTD: defect = value > 127)')
    if not np.isfinite(maps).all():
        raise ValueError(f'{path}: {maps_key!r} contains NaN or inf')
    return maps.astype(np.float32), masks.astype(np.int64)


def _squeeze(array, path, key):
    if array.ndim == 4 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 3 or array.shape[0] == 0:
        raise ValueError(f'{path}: {key!r} must be (N, H, W) or (N, 1, H, '
                         f'W) with N >= 1, got shape {array.shape}')
    return array


def score(maps, masks, **metric_kwargs):
    """AnomalyMetric's results for ``(N, H, W)`` maps and labels, and
    its worst-case binning errors (all 0 with ``binning='exact'``)."""
    import torch

    from mmdefect.evaluation.metrics import AnomalyMetric
    metric = AnomalyMetric(score_key='anomaly_map', **metric_kwargs)
    for anomaly_map, labels in zip(maps, masks):
        metric.process([], [
            dict(
                anomaly_map=dict(data=torch.from_numpy(anomaly_map[None])),
                gt_sem_seg=dict(data=torch.from_numpy(labels[None])))
        ])
    metrics = metric.compute_metrics(metric.results)
    return metrics, dict(metric.discretisation_bounds)


def main(argv=None):
    args = parse_args(argv)
    maps, masks = load_maps(args.npz, args.maps_key, args.masks_key)
    metrics, bounds = score(
        maps, masks, image_score=args.image_score, topk=args.topk,
        binning=args.binning, fpr_limit=args.fpr_limit)
    defective = int(sum((m == 1).any() for m in masks))
    print(f'{args.npz}: {len(maps)} maps of {maps.shape[1]}x{maps.shape[2]}'
          f' ({len(maps) - defective} defect-free, {defective} defective); '
          f'image score {args.image_score}, binning {args.binning}')
    for key in PRINTED:
        bound = (f'  (binning error <= {bounds[key]:.1e})'
                 if bounds.get(key) else '')
        print(f'{key:12s} {metrics[key]:.4f}{bound}')
    record = dict(
        npz=osp.abspath(args.npz), num_images=len(maps),
        num_defective=defective, image_score=args.image_score,
        topk=args.topk, binning=args.binning, fpr_limit=args.fpr_limit,
        metrics={k: float(v) for k, v in metrics.items()},
        binning_error_bounds={k: float(v) for k, v in bounds.items()})
    if args.out:
        with open(args.out, 'x') as f:
            json.dump(record, f, indent=2)
        print(f'written to {args.out}')
    return record


if __name__ == '__main__':
    main()

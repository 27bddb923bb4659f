"""Peak memory of threshold calibration versus AnomalyMetric alone.

    python tools/benchmarks/calibration_memory.py --num 2000 --size 256

Streams ``--num`` random score maps of ``--size`` x ``--size`` (uniform
float32 in [0, 1), a 32x32 defect raised by 0.5 in every second map)
through, each in a fresh process so that the peak resident memory
(``ru_maxrss``) of one does not hide the other:

* ``metric``: ``AnomalyMetric`` as configured for ``tools/test.py``;
* ``calibration``: the same metric with the four thresholds of
  ``tools/analysis_tools/calibrate_threshold.py`` (pixel and image level,
  normal-data quantile and F1-optimal), i.e. what the calibration tool
  runs after the model;
* ``in-memory`` (``--in-memory``): the rule calibration used before, every
  pixel score of the defect-free maps kept and ``np.quantile`` over them.

Prints the peak increase over the baseline of each (MiB), the wall time,
and the thresholds (equal in ``metric``-binning terms between the first two
by construction).
"""
import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

THRESHOLDS = [
    dict(method='quantile', q=0.999, level='pixel'),
    dict(method='f1', level='pixel'),
    dict(method='quantile', q=0.99, level='image'),
    dict(method='f1', level='image'),
]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def samples(num: int, size: int, seed: int = 0):
    """``(labels, scores)`` of the synthetic maps, one at a time."""
    rng = np.random.default_rng(seed)
    for index in range(num):
        labels = np.zeros((1, size, size), np.int64)
        scores = rng.random((1, size, size), dtype=np.float32)
        if index % 2:
            y, x = rng.integers(0, size - 32, 2)
            labels[0, y:y + 32, x:x + 32] = 1
            scores[0, y:y + 32, x:x + 32] += 0.5
        yield labels, scores


def run_mode(mode: str, num: int, size: int, binning: str) -> dict:
    """Run one mode in this process; the result as a dict."""
    import torch

    from mmdefect.evaluation import AnomalyMetric, quantile_threshold
    base = peak_mib()
    start = time.perf_counter()
    if mode == 'in-memory':
        normal = [s[0] for lab, s in samples(num, size) if not lab.any()]
        values = dict(pixel_quantile=quantile_threshold(normal, 0.999))
    else:
        metric = AnomalyMetric(
            binning=binning,
            thresholds=THRESHOLDS if mode == 'calibration' else None)
        for labels, scores in samples(num, size):
            metric.process([], [dict(
                gt_sem_seg=dict(data=torch.from_numpy(labels)),
                anomaly_map=dict(data=torch.from_numpy(scores)))])
        values = metric.compute_metrics(metric.results)
    return dict(mode=mode, peak_mib=peak_mib() - base,
                seconds=time.perf_counter() - start,
                values={k: float(v) for k, v in values.items()})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--num', type=int, default=2000)
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument('--binning', default='float',
                        choices=['float', 'linear', 'exact'])
    parser.add_argument('--in-memory', action='store_true',
                        help='also measure the keep-every-score rule')
    parser.add_argument('--mode', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.mode:
        print(json.dumps(run_mode(args.mode, args.num, args.size,
                                  args.binning)))
        return 0
    modes = ['metric', 'calibration'] + (['in-memory']
                                         if args.in_memory else [])
    rows = []
    for mode in modes:
        proc = subprocess.run(
            [sys.executable, __file__, '--mode', mode, '--num',
             str(args.num), '--size', str(args.size), '--binning',
             args.binning], capture_output=True, text=True, check=True)
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(f'{args.num} maps of {args.size}x{args.size}, binning '
          f'{args.binning}:')
    for row in rows:
        print(f'  {row["mode"]:<12} peak +{row["peak_mib"]:.0f} MiB, '
              f'{row["seconds"]:.1f} s')
    metric, calibration = rows[0], rows[1]
    print(f'  calibration - metric: '
          f'{calibration["peak_mib"] - metric["peak_mib"]:+.0f} MiB')
    thresholds = {k: round(v, 6) for k, v in calibration['values'].items()
                  if 'threshold_' in k}
    print(f'  thresholds: {thresholds}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""Memory and time of AnomalyMetric in streaming mode.

    python tools/benchmarks/anomaly_metric_memory.py --num 1000 --size 256

Feeds ``--num`` random anomaly maps of ``--size`` x ``--size`` (with
rectangular defects in half of them) through ``process`` one at a time, then
``compute_metrics``, and reports the peak resident memory above the
baseline (``ru_maxrss`` of this process) and the wall time.
"""
import argparse
import resource
import time

import numpy as np
import torch


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--num', type=int, default=1000)
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument('--binning', default='float',
                        choices=['float', 'linear', 'exact'])
    args = parser.parse_args(argv)
    from mmdefect.evaluation import AnomalyMetric
    metric = AnomalyMetric(binning=args.binning)
    rng = np.random.default_rng(0)
    base = rss_mib()
    start = time.perf_counter()
    for idx in range(args.num):
        gt = np.zeros((1, args.size, args.size), np.int64)
        score = rng.random((1, args.size, args.size), dtype=np.float32)
        if idx % 2:
            y, x = rng.integers(0, args.size - 32, 2)
            gt[0, y:y + 32, x:x + 32] = 1
            score[0, y:y + 32, x:x + 32] += 0.5
        metric.process([], [dict(
            gt_sem_seg=dict(data=torch.from_numpy(gt)),
            anomaly_map=dict(data=torch.from_numpy(score)))])
    results = metric.compute_metrics(metric.results)
    elapsed = time.perf_counter() - start
    print(f'{args.num} maps of {args.size}x{args.size}, binning '
          f'{args.binning}: peak +{rss_mib() - base:.0f} MiB, '
          f'{elapsed:.1f} s')
    print({k: round(float(v), 4) for k, v in results.items()})


if __name__ == '__main__':
    main()

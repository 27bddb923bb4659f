"""Benchmark ``DropletAug`` on one CPU core (target: < 5 ms per image).

Augments ``--num`` different textured ``--size`` x ``--size`` colour images
(one droplet each with the paper's settings, unless ``--droplets`` says
otherwise), pinned to one core with OpenCV threading off, and prints the
median, mean and 95th percentile time per image with the command that
produced them.

    python tools/benchmarks/droplet_aug.py --num 500 --size 256
"""
import argparse
import os
import shlex
import sys
import time

import cv2
import numpy as np

from mmdefect.datasets.transforms import DropletAug


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--num', type=int, default=500, help='images (>=200)')
    parser.add_argument('--size', type=int, default=256, help='image size')
    parser.add_argument(
        '--droplets', type=int, default=1, help='droplets per image')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def textures(num: int, size: int, seed: int) -> list:
    """``num`` smooth random uint8 BGR textures (a few distinct ones)."""
    rng = np.random.default_rng(seed)
    bank = [
        cv2.resize(
            rng.integers(40, 216, (8, 8, 3), dtype=np.uint8), (size, size),
            interpolation=cv2.INTER_CUBIC) for _ in range(16)
    ]
    return [bank[i % len(bank)] for i in range(num)]


def main():
    args = parse_args()
    if args.num < 200:
        sys.exit('--num must be >= 200 for a stable median')
    if hasattr(os, 'sched_setaffinity'):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    cv2.setNumThreads(1)
    aug = DropletAug(prob=1.0, num_droplets=args.droplets, seed=args.seed)
    images = textures(args.num, args.size, args.seed)
    for img in images[:10]:  # warm-up
        aug(dict(img=img.copy()))
    times = []
    for img in images:
        results = dict(img=img.copy())
        start = time.perf_counter()
        aug(results)
        times.append(time.perf_counter() - start)
    ms = np.array(times) * 1e3
    print(f'command   python {shlex.join(sys.argv)}')
    print(f'images    {args.num} x {args.size}x{args.size}x3 uint8, '
          f'{args.droplets} droplet(s) each, 1 core')
    print(f'median    {np.median(ms):.3f} ms/image')
    print(f'mean      {ms.mean():.3f} ms/image')
    print(f'p95       {np.percentile(ms, 95):.3f} ms/image')


if __name__ == '__main__':
    main()

"""Benchmark SynSurface generation speed on one CPU core.

Renders ``--num`` test-split samples (half defective: scratches, pits,
stains, cracks; the three surface finishes in turn) at ``--size`` with one
worker, pinned to one core with OpenCV threading off, and prints images per
second for rendering alone and for rendering plus writing the two PNGs (the
number the README quotes), with the command that produced it. The Perlin
tiles are built once per process before timing (about 0.1-0.3 s, reported
separately).

    python tools/benchmarks/synsurface_generation.py --num 400 --size 128
"""
import argparse
import os
import shlex
import sys
import tempfile
import time

import cv2

from mmdefect.datasets.synthesis import (SynSurfaceGenerator, perlin_tile,
                                         render_surface_sample, surface_rng)
from mmdefect.datasets.synthesis.surfaces import NUM_TILES


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--num', type=int, default=400, help='images to generate')
    parser.add_argument('--size', type=int, default=128, help='image size')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def main():
    args = parse_args()
    if args.num < 2:
        raise SystemExit('--num must be >= 2')
    if hasattr(os, 'sched_setaffinity'):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    cv2.setNumThreads(1)
    start = time.perf_counter()
    for base in range(NUM_TILES):
        perlin_tile(base)
    tiles = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        generator = SynSurfaceGenerator(
            os.path.join(tmp, 'synsurface'),
            num_train=1,
            num_val=1,
            num_test=args.num,
            size=args.size,
            seed=args.seed)
        specs = [s for s in generator.specs if s.split == 'test']
        start = time.perf_counter()
        for spec in specs:
            render_surface_sample(spec.surface, spec.kind, generator.size,
                                  surface_rng(args.seed, 'test', spec.index))
        render_rate = len(specs) / (time.perf_counter() - start)
        start = time.perf_counter()
        generator.run(progress=False)
        full_rate = len(generator.specs) / (time.perf_counter() - start)
    command = ' '.join(
        shlex.quote(a) for a in
        ['python', 'tools/benchmarks/synsurface_generation.py', *sys.argv[1:]])
    print(f'command: {command}')
    print(f'SynSurface generation, {args.size}x{args.size}, 1 core, '
          f'{args.num} test images (half defective):')
    print(f'  Perlin tiles (once)  : {tiles:.2f} s')
    print(f'  render only          : {render_rate:.1f} images/s')
    print(f'  render + write PNGs  : {full_rate:.1f} images/s')


if __name__ == '__main__':
    main()

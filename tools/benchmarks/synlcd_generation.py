"""Benchmark SynLCD generation speed on one CPU core.

Generates ``--num`` samples of the paper's mix (half defect-free, the rest
line / abpt / mixed) at ``--size`` with one worker, pinned to one core with
OpenCV threading off, and prints samples per second for rendering alone and
for rendering plus writing the three PNGs (the number the README quotes),
together with the command that produced it.

    python tools/benchmarks/synlcd_generation.py --num 200 --size 512
"""
import argparse
import os
import shlex
import sys
import tempfile
import time

import cv2

from mmdefect.datasets.synthesis import SynLCDGenerator, render_sample
from mmdefect.datasets.synthesis.generator import sample_rng


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--num', type=int, default=200, help='samples to generate')
    parser.add_argument('--size', type=int, default=512, help='image size')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def main():
    args = parse_args()
    if hasattr(os, 'sched_setaffinity'):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    cv2.setNumThreads(1)
    with tempfile.TemporaryDirectory() as tmp:
        generator = SynLCDGenerator(
            os.path.join(tmp, 'synlcd'),
            num_train=args.num,
            num_test=0,
            size=args.size,
            seed=args.seed,
            workers=1)

        start = time.perf_counter()
        for spec in generator.specs:
            render_sample(generator.patterns[spec.pattern], spec.kind,
                          sample_rng(args.seed, spec.split, spec.index))
        render_rate = args.num / (time.perf_counter() - start)

        start = time.perf_counter()
        generator.run(progress=False)
        full_rate = args.num / (time.perf_counter() - start)

    command = ' '.join(
        shlex.quote(a) for a in
        ['python', 'tools/benchmarks/synlcd_generation.py', *sys.argv[1:]])
    print(f'command: {command}')
    print(f'SynLCD generation, {args.size}x{args.size}, 1 core, '
          f'{args.num} samples:')
    print(f'  render only          : {render_rate:.1f} samples/s')
    print(f'  render + write PNGs  : {full_rate:.1f} samples/s')


if __name__ == '__main__':
    main()

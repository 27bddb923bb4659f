"""Generate SynSurface, the procedural metal-surface set (CAT, issue 13).

Writes ``<out>/{img_dir,ann_dir}/{train,val,test}/<stem>.png`` and
``<out>/manifest.json``; see
:class:`mmdefect.datasets.synthesis.SynSurfaceGenerator`. Training images are
defect-free, validation images mostly defect-free (a fifth defective), test
images about half defective (scratches, pits, stains, cracks).

Examples::

    # defaults: 2,000 train / 200 val / 400 test at 256x256
    python tools/dataset_converters/synsurface.py data/synsurface --workers 2
    # the quickstart's small CPU set (a few seconds)
    python tools/dataset_converters/synsurface.py data/synsurface_128 \\
        --num-train 240 --num-val 40 --num-test 80 --size 128
"""
import argparse
import time

from mmdefect.datasets.synthesis import SynSurfaceGenerator
from mmdefect.datasets.synthesis.synsurface_generator import (DEFAULT_COUNTS,
                                                              MIN_SIZE)


def _at_least(low):

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f'expected an integer, got {text!r}') from None
        if value < low:
            raise argparse.ArgumentTypeError(f'must be >= {low}, got {value}')
        return value

    return parse


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate the procedural SynSurface data set (grey '
        'metal-like surfaces and defect labels; training images are '
        'defect-free).')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument(
        '--num-train',
        type=_at_least(1),
        default=DEFAULT_COUNTS['num_train'],
        help='training images, all defect-free (default %(default)s)')
    parser.add_argument(
        '--num-val',
        type=_at_least(1),
        default=DEFAULT_COUNTS['num_val'],
        help='validation images, NUM // 5 of them defective (default '
        '%(default)s)')
    parser.add_argument(
        '--num-test',
        type=_at_least(2),
        default=DEFAULT_COUNTS['num_test'],
        help='test images, NUM - NUM // 2 of them defective (default '
        '%(default)s)')
    parser.add_argument(
        '--size',
        type=_at_least(MIN_SIZE),
        nargs='+',
        default=[256],
        metavar='PX',
        help='image size: one value (square) or HEIGHT WIDTH, each >= '
        f'{MIN_SIZE} (default 256)')
    parser.add_argument('--seed', type=int, default=0, help='data set seed')
    parser.add_argument(
        '--workers',
        type=_at_least(1),
        default=1,
        help='worker processes (the output does not depend on it)')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace the SynSurface outputs of a non-empty output folder')
    args = parser.parse_args(argv)
    if len(args.size) not in (1, 2):
        parser.error('--size takes one or two values')
    return args


def main(argv=None):
    args = parse_args(argv)
    size = args.size[0] if len(args.size) == 1 else tuple(args.size)
    generator = SynSurfaceGenerator(
        args.out_dir,
        num_train=args.num_train,
        num_val=args.num_val,
        num_test=args.num_test,
        size=size,
        seed=args.seed,
        workers=args.workers,
        overwrite=args.overwrite)
    start = time.perf_counter()
    try:
        manifest = generator.run(progress=True)
    except (FileExistsError, NotADirectoryError) as err:
        raise SystemExit(f'synsurface.py: error: {err}') from None
    elapsed = time.perf_counter() - start
    total = len(manifest['samples'])
    print(f'wrote {total} images to {args.out_dir} in {elapsed:.1f} s '
          f'({total / max(elapsed, 1e-9):.1f} images/s)')
    for split, counts in manifest['parameters']['counts'].items():
        print(f'{split}: ' + ', '.join(f'{k} {v}' for k, v in counts.items()))


if __name__ == '__main__':
    main()

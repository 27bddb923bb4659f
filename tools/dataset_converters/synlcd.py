"""Generate the SynLCD synthetic LCD-defect data set (CADNet paper).

Writes ``<out>/{img_dir,ref_dir,ann_dir}/{train,test}/<stem>.png`` and
``<out>/manifest.json``; see
:class:`mmdefect.datasets.synthesis.SynLCDGenerator`.

Examples::

    # the paper's sizes: 4,200 train (patterns 0-6) + 1,800 test (7-9)
    python tools/dataset_converters/synlcd.py data/synlcd --workers 2
    # a small set for a CPU quick start
    python tools/dataset_converters/synlcd.py data/synlcd_small \\
        --num-train 280 --num-test 120 --size 256
    # cross-test sets (paper Fig. 6): train on lines, test on abpt
    python tools/dataset_converters/synlcd.py data/synlcd_L --defect-mix line
    python tools/dataset_converters/synlcd.py data/synlcd_A --defect-mix abpt
"""
import argparse
import time

from mmdefect.datasets.synthesis import DEFECT_MIXES, SynLCDGenerator
from mmdefect.datasets.synthesis.generator import (PAPER_NUM_TEST,
                                                   PAPER_NUM_TRAIN)
from mmdefect.datasets.synthesis.writing import check_size


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate the procedural SynLCD data set (inspected '
        'image, clean reference and label per sample).')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument(
        '--num-train',
        type=int,
        default=PAPER_NUM_TRAIN,
        help='training samples (paper: 4200)')
    parser.add_argument(
        '--num-test',
        type=int,
        default=PAPER_NUM_TEST,
        help='test samples (paper: 1800)')
    parser.add_argument(
        '--size',
        type=int,
        nargs='+',
        default=[512],
        metavar='PX',
        help='image size: one value (square) or HEIGHT WIDTH '
        '(default 512)')
    parser.add_argument('--seed', type=int, default=0, help='data set seed')
    parser.add_argument(
        '--workers',
        type=int,
        default=1,
        help='worker processes (output does not depend on '
        'it)')
    parser.add_argument(
        '--holdout-patterns',
        type=int,
        nargs='+',
        metavar='INDEX',
        help='pattern indices used only for the test split '
        '(default: the last 30%%, i.e. 7 8 9 of the built-in '
        'ten)')
    parser.add_argument(
        '--defect-mix',
        choices=list(DEFECT_MIXES),
        default='all',
        help='defect types of the defective samples: all '
        '(line, abpt, mixed; paper) or one type (cross tests)')
    parser.add_argument(
        '--pattern-dir',
        help='folder of your own clean images, used instead '
        'of the ten built-in patterns (file-name order)')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace the SynLCD outputs of a non-empty '
        'output folder')
    args = parser.parse_args(argv)
    if len(args.size) not in (1, 2):
        parser.error('--size takes one or two values')
    try:
        check_size(args.size[0] if len(args.size) == 1 else args.size, 16)
    except ValueError as err:
        parser.error(f'--size {" ".join(map(str, args.size))}: {err}')
    for flag, value in (('--num-train', args.num_train),
                        ('--num-test', args.num_test)):
        if value < 1:
            parser.error(f'{flag} {value}: must be at least 1 (a split '
                         f'without samples can be neither trained nor '
                         f'tested on)')
    if args.workers < 1:
        parser.error(f'--workers {args.workers}: must be at least 1')
    return args


def main(argv=None):
    args = parse_args(argv)
    size = args.size[0] if len(args.size) == 1 else tuple(args.size)
    generator = SynLCDGenerator(
        args.out_dir,
        num_train=args.num_train,
        num_test=args.num_test,
        size=size,
        seed=args.seed,
        workers=args.workers,
        holdout_patterns=args.holdout_patterns,
        defect_mix=args.defect_mix,
        pattern_dir=args.pattern_dir,
        overwrite=args.overwrite)
    start = time.perf_counter()
    manifest = generator.run(progress=True)
    elapsed = time.perf_counter() - start
    params = manifest['parameters']
    total = len(manifest['samples'])
    print(f'wrote {total} samples to {args.out_dir} in {elapsed:.1f} s '
          f'({total / max(elapsed, 1e-9):.1f} samples/s)')
    print(f'train patterns {params["train_patterns"]}, '
          f'test patterns {params["test_patterns"]}')
    for split, counts in params['counts'].items():
        print(f'{split}: ' + ', '.join(f'{k} {v}' for k, v in counts.items()))


if __name__ == '__main__':
    main()

"""Cross-defect tests of the CADNet paper (Fig. 6) on a CPU budget.

Train on one SynLCD defect type, test on each: LL, LA, AL, AA (first letter
the training set, second the test set; L = line, A = abnormal points), for
each model, on the same budget. Labels are class-agnostic (background /
defect; ``SynLCDDataset(class_agnostic=True)``): a model that never saw a
type can only find it as a change. The steps, each a standard tool run as a
subprocess::

    tools/dataset_converters/synlcd.py DATA/synlcd256_{line,abpt} \\
        --defect-mix line|abpt --size 256 ...      (if not there yet)
    tools/train.py CONFIG_{line,abpt} --work-dir OUT/<config>
    tools/test.py CONFIG[_test-<other>] OUT/<config>/iter_N.pth \\
        --work-dir OUT/<config>/test-<type>

Finished trainings and tests found under ``--out`` are reused, so an
interrupted sweep resumes. The table (IoU / F-score of the defect class,
pixel AUROC of 1 - p(background)) goes to ``OUT/results.md`` and
``OUT/results.json``, or to ``results-1.md`` ... if those exist (never
overwritten)::

    OMP_NUM_THREADS=1 python tools/benchmarks/cross_defect.py \\
        --models cadnet segformer siamese-diff --out work_dirs/cross_defect
"""
import argparse
import os.path as osp

from _synlcd_protocols import (DEFECT_TYPES, TYPE_LETTER, add_data_args,
                               data_root, ensure_data, fmt, log, root_options,
                               schedule_options, test, train, write_results)

MODELS = {
    'cadnet': ('CADNet-B0', 'configs/cadnet/cadnet_mit-b0'),
    'cadnet-semi':
    ("CADNet-B0 (change_att='semi')", 'configs/cadnet/cadnet-semi_mit-b0'),
    'segformer':
    ('SegFormer-B0 (image only)', 'configs/segformer/segformer_mit-b0'),
    'siamese-diff':
    ('Siamese-diff MiT-B0', 'configs/siamese_diff/siamese-diff_mit-b0'),
}
CELLS = [(t, s) for t in DEFECT_TYPES for s in DEFECT_TYPES]
KEYS = (('IoU.defect', 'IoU'), ('Fscore.defect', 'F'), ('pixel_AUROC',
                                                        'pixel AUROC'))


def config_path(prefix: str, train_type: str, test_type: str = None) -> str:
    name = f'{prefix}_1xb8-600i_synlcd256-{train_type}-128x128'
    if test_type is not None and test_type != train_type:
        name += f'_test-{test_type}'
    return name + '.py'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--models',
        nargs='+',
        choices=list(MODELS),
        default=['cadnet', 'segformer'],
        help='models of the grid')
    parser.add_argument(
        '--train-types',
        nargs='+',
        choices=DEFECT_TYPES,
        default=list(DEFECT_TYPES),
        help='training sets (default both)')
    parser.add_argument(
        '--out', default='work_dirs/cross_defect', help='work dir')
    parser.add_argument(
        '--iters',
        type=int,
        default=600,
        help='training iterations (the configs: 600)')
    add_data_args(parser)
    return parser.parse_args(argv)


def table(results: dict, args) -> str:
    head = ' | '.join(f'{TYPE_LETTER[t]}{TYPE_LETTER[s]} {label}'
                      for t, s in CELLS for _, label in KEYS[:2])
    lines = [
        f'Cross tests (paper Fig. 6), SynLCD {args.size}x{args.size} one '
        f'type per set ({args.num_train} train / {args.num_test} test '
        f'pairs, data seed {args.data_seed}), {args.iters} iterations of '
        f'batch {args.batch_size}, training seed {args.seed}; '
        f'class-agnostic defect IoU / F-score (%), first letter = '
        f'training set, second = test set.', '',
        f'| model | {head} | pixel AUROC LL/LA/AL/AA |',
        '|---' * (2 * len(CELLS) + 2) + '|'
    ]
    for model, cells in results.items():
        row = [
            fmt(cells.get(f'{t}->{s}'), key) for t, s in CELLS
            for key, _ in KEYS[:2]
        ]
        auroc = '/'.join(
            fmt(cells.get(f'{t}->{s}'), 'pixel_AUROC') for t, s in CELLS)
        lines.append(f'| {MODELS[model][0]} | ' + ' | '.join(row) +
                     f' | {auroc} |')
    return '\n'.join(lines) + '\n'


def main(argv=None):
    args = parse_args(argv)
    roots = {t: data_root(args.data_dir, t) for t in DEFECT_TYPES}
    for t in DEFECT_TYPES:
        ensure_data(roots[t], t, args.size, args.num_train, args.num_test,
                    args.data_seed, args.workers, args.out)
    results = {}
    for model in args.models:
        prefix = MODELS[model][1]
        results[model] = {}
        for t in args.train_types:
            config = config_path(prefix, t)
            work_dir = osp.join(args.out, osp.basename(config)[:-3])
            options = schedule_options(
                args.iters, args.batch_size) + root_options(
                    roots[t], roots[t]) + [f'randomness.seed={args.seed}']
            ckpt = train(config, work_dir, args.iters, options)
            for s in DEFECT_TYPES:
                metrics = test(
                    config_path(prefix, t, s), ckpt,
                    osp.join(work_dir, f'test-{s}'),
                    root_options(roots[t], roots[s]))
                results[model][f'{t}->{s}'] = metrics
                log(f'{MODELS[model][0]} {TYPE_LETTER[t]}{TYPE_LETTER[s]}: ' +
                    ', '.join(f'{label} {fmt(metrics, key)}'
                              for key, label in KEYS))
    write_results(args.out, table(results, args),
                  dict(args=vars(args), results=results))


if __name__ == '__main__':
    main()

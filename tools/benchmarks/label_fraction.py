"""Label-fraction protocol of the CADNet paper (Table 6) on a CPU budget.

Pretrain on abnormal points, fine-tune on 5 / 10 / 15 % of the line training
pairs (a seeded subset: ``SynLCDDataset(subset_fraction, subset_seed)``),
test on line defects; 0 % is the pretrained model tested as is. Labels are
class-agnostic (background / defect), as in the cross tests. Steps, each a
standard tool run as a subprocess::

    tools/train.py <model>_1xb8-600i_synlcd256-abpt-128x128.py     (pretrain)
    tools/test.py  <model>_1xb8-600i_synlcd256-abpt-128x128_test-line.py  (0 %)
    tools/train.py <model>_1xb8-600i_synlcd256-line-subset-128x128.py \\
        --cfg-options load_from=<pretrained> \\
        train_dataloader.dataset.subset_fraction=F     (fine-tune, F > 0)
    tools/test.py  <the fine-tune config> <its checkpoint>

The pretraining is shared with ``tools/benchmarks/cross_defect.py``: by
default it is looked up in (and written to) ``--pretrained-dir``
(``work_dirs/cross_defect``), so an earlier cross-test run's AA model and
AL test are reused. Models: ``cadnet`` (``change_att='supervised'``,
Eq. 11-12), ``cadnet-semi`` (``change_att='semi'``, Eq. 13-14, the paper's
decoder for the semi-/unsupervised setting, pretrained and fine-tuned in
that setting) and ``segformer`` (the appearance model fine-tuned the same
way). The table goes to ``OUT/results.md`` / ``results.json`` (or
``results-1.md`` ..., never overwritten)::

    OMP_NUM_THREADS=1 python tools/benchmarks/label_fraction.py \\
        --models cadnet-semi cadnet segformer --out work_dirs/label_fraction
"""
import argparse
import os.path as osp

from _synlcd_protocols import (add_data_args, data_root, ensure_data, fmt, log,
                               root_options, schedule_options, test, train,
                               write_results)

MODELS = {
    'cadnet':
    ("CADNet-B0, change_att='supervised'", 'configs/cadnet/cadnet_mit-b0'),
    'cadnet-semi':
    ("CADNet-B0, change_att='semi'", 'configs/cadnet/cadnet-semi_mit-b0'),
    'segformer':
    ('SegFormer-B0 (image only)', 'configs/segformer/segformer_mit-b0'),
}
PAPER = ('paper CADNet-B0 (512x512, pretrained MiT-B0, GPU)',
         dict(zip((0, 5, 10, 15), (46.89, 82.93, 84.52, 84.71))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--models',
        nargs='+',
        choices=list(MODELS),
        default=['cadnet-semi', 'segformer'])
    parser.add_argument(
        '--fractions',
        nargs='+',
        type=float,
        default=[0, 5, 10, 15],
        help='percent of the line training pairs (0 = no fine-tuning)')
    parser.add_argument('--subset-seed', type=int, default=0)
    parser.add_argument('--out', default='work_dirs/label_fraction')
    parser.add_argument(
        '--pretrained-dir',
        default='work_dirs/cross_defect',
        help='work dir of the abpt pretraining (shared with '
        'cross_defect.py)')
    parser.add_argument(
        '--pretrain-iters',
        type=int,
        default=600,
        help='pretraining iterations (the configs: 600)')
    parser.add_argument(
        '--ft-iters',
        type=int,
        default=200,
        help='fine-tuning iterations (the configs: 600; a short '
        'fine-tune is the protocol)')
    add_data_args(parser)
    args = parser.parse_args(argv)
    for f in args.fractions:
        if not 0 <= f <= 100:
            parser.error(f'--fractions {f}: must be a percentage in '
                         f'[0, 100]')
    return args


def pct(f: float) -> str:
    return f'{f:g}'


def table(results: dict, args) -> str:
    fr = sorted(args.fractions)
    lines = [
        f'Label fractions (paper Table 6): pretrained on abpt '
        f'({args.pretrain_iters} iterations of batch {args.batch_size}), '
        f'fine-tuned on a seeded subset (seed {args.subset_seed}) of the '
        f'{args.num_train} line training pairs ({args.ft_iters} '
        f'iterations), tested on the {args.num_test} line test pairs; '
        f'SynLCD {args.size}x{args.size}, training seed {args.seed}; '
        f'class-agnostic defect IoU / F-score (%).', '',
        '| model | ' + ' | '.join(f'IoU {pct(f)} %' for f in fr) + ' | ' +
        ' | '.join(f'F {pct(f)} %'
                   for f in fr) + ' |', '|---' * (2 * len(fr) + 1) + '|'
    ]
    for model, cells in results.items():
        lines.append(f'| {MODELS[model][0]} | ' + ' | '.join(
            fmt(cells.get(pct(f)), 'IoU.defect')
            for f in fr) + ' | ' + ' | '.join(
                fmt(cells.get(pct(f)), 'Fscore.defect') for f in fr) + ' |')
    lines.append(f'| {PAPER[0]}, mIoU | ' +
                 ' | '.join(f'{PAPER[1][f]:.2f}' if f in PAPER[1] else '-'
                            for f in fr) + ' |' + ' - |' * len(fr))
    return '\n'.join(lines) + '\n'


def main(argv=None):
    args = parse_args(argv)
    roots = {t: data_root(args.data_dir, t) for t in ('line', 'abpt')}
    for t, root in roots.items():
        ensure_data(root, t, args.size, args.num_train, args.num_test,
                    args.data_seed, args.workers, args.out)
    results = {}
    for model in args.models:
        prefix = MODELS[model][1]
        pre_cfg = f'{prefix}_1xb8-600i_synlcd256-abpt-128x128.py'
        pre_dir = osp.join(args.pretrained_dir, osp.basename(pre_cfg)[:-3])
        pretrained = train(
            pre_cfg, pre_dir, args.pretrain_iters,
            schedule_options(args.pretrain_iters, args.batch_size) +
            root_options(roots['abpt'], roots['abpt']) +
            [f'randomness.seed={args.seed}'])
        results[model] = {}
        # fine-tunes first: the 0 % test may still be running in a
        # concurrent cross_defect.py on the same pretrained model
        for f in sorted(args.fractions, key=lambda f: (f == 0, f)):
            if f == 0:
                metrics = test(pre_cfg[:-3] + '_test-line.py', pretrained,
                               osp.join(pre_dir, 'test-line'),
                               root_options(roots['abpt'], roots['line']))
            else:
                ft_cfg = f'{prefix}_1xb8-600i_synlcd256-line-subset-128x128.py'
                ft_dir = osp.join(
                    args.out, f'{osp.basename(ft_cfg)[:-3]}_{pct(f)}pct_'
                    f'seed{args.subset_seed}')
                ckpt = train(
                    ft_cfg,
                    ft_dir,
                    args.ft_iters,
                    schedule_options(args.ft_iters, args.batch_size) +
                    root_options(roots['line'], roots['line']) + [
                        f'load_from={pretrained}',
                        f'train_dataloader.dataset.subset_fraction='
                        f'{f / 100}',
                        f'train_dataloader.dataset.subset_seed='
                        f'{args.subset_seed}',
                        f'randomness.seed={args.seed}',
                        # no validation pass: the test follows
                        'val_cfg=None',
                        'val_dataloader=None',
                        'val_evaluator=None'
                    ])
                metrics = test(ft_cfg, ckpt, osp.join(ft_dir, 'test-line'),
                               root_options(roots['line'], roots['line']))
            results[model][pct(f)] = metrics
            log(f'{MODELS[model][0]} {pct(f)} %: IoU '
                f'{fmt(metrics, "IoU.defect")}, F '
                f'{fmt(metrics, "Fscore.defect")}')
    write_results(args.out, table(results, args),
                  dict(args=vars(args), results=results))


if __name__ == '__main__':
    main()

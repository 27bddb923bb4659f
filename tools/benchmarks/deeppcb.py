"""DeepPCB benchmark: box mAP/F-score, pixel IoU and CPU speed per model.

Each ``--run NAME CONFIG CHECKPOINT`` (``none`` as checkpoint for a
parameter-free model such as the classical baseline) is evaluated on the
DeepPCB test split through mmengine's ``Runner.test`` (the same path as
``tools/test.py``), timed end to end (reading both images, the model at
batch size 1, the metrics), and summarised in one markdown table::

    python tools/benchmarks/deeppcb.py \\
        --data-root ../shared/data/DeepPCB/PCBData \\
        --label-root data/deeppcb_labels/ann_dir \\
        --run classical \\
            configs/classical/classical-diff_deeppcb-640x640.py none \\
        --run CADNet-B0 \\
            configs/cadnet/cadnet_mit-b0_1xb4-1k_deeppcb-256x256.py \\
            work_dirs/cadnet_mit-b0_1xb4-1k_deeppcb-256x256/iter_1000.pth \\
        --out work_dirs/deeppcb_benchmark

The labels come from ``tools/dataset_converters/deeppcb.py``.
``--num-pairs N`` evaluates N of the 500 test pairs, evenly spaced over
``test.txt`` (pair ``round(i * 500 / N)`` for i < N), so that every group of
boards is represented; a transformer at 640x640 takes seconds per pair on
a CPU.  The table (``results.md``), the
metrics of every run (``results.json``) and each run's logs are written
under ``--out``; an existing ``results.md`` there is not overwritten.
"""
import argparse
import json
import os
import os.path as osp
import shlex
import sys
import time

import torch
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from mmdefect.datasets.functional.deeppcb import write_split_subset
from mmdefect.utils import (apply_tta, count_params_checked,
                            register_all_modules)

COLUMNS = (('DeepPCB/mAP', 'mAP'), ('DeepPCB/AP', 'AP (script)'),
           ('DeepPCB/Fscore', 'F-score'), ('DeepPCB/precision', 'P'),
           ('DeepPCB/recall', 'R'), ('mIoU_defect', 'pixel mIoU (defects)'))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--run',
        nargs=3,
        action='append',
        required=True,
        metavar=('NAME', 'CONFIG', 'CHECKPOINT'),
        help='a model to evaluate; CHECKPOINT "none" for parameter-free '
        'models')
    parser.add_argument(
        '--data-root', required=True, help="DeepPCB's PCBData folder")
    parser.add_argument(
        '--label-root',
        required=True,
        help='ann_dir written by tools/dataset_converters/deeppcb.py')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument(
        '--num-pairs',
        type=int,
        help='evaluate N test pairs evenly spaced over test.txt')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='overrides for every run\'s config, as in tools/test.py (e.g. '
        'the box options tools/analysis_tools/tune_deeppcb_boxes.py '
        'prints: test_evaluator.1.score_thr=0.5 ...)')
    parser.add_argument(
        '--tta',
        action='store_true',
        help='test-time augmentation of every run, as tools/test.py --tta '
        '(the config\'s tta_pipeline: for DeepPCB the pair as is, flipped '
        'left-right and upside down)')
    return parser.parse_args(argv)


def evaluate(name: str, config: str, checkpoint: str, args,
             ann_file: str) -> dict:
    """Test one model; return its metrics, parameter count and speed."""
    cfg = Config.fromfile(config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    dataset = cfg.test_dataloader.dataset
    dataset.data_root = args.data_root
    dataset.ann_file = ann_file
    dataset.data_prefix = dict(
        img_path='', seg_map_path=osp.abspath(args.label_root))
    cfg.test_dataloader.num_workers = 0
    cfg.test_dataloader.persistent_workers = False
    cfg.test_dataloader.batch_size = 1
    cfg.work_dir = osp.join(args.out, name)
    cfg.launcher = 'none'
    if checkpoint != 'none':
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(f'{name}: checkpoint {checkpoint} not '
                                    f'found')
        cfg.load_from = checkpoint
    if cfg.get('default_hooks'):
        cfg.default_hooks.pop('visualization', None)
    if args.tta:
        apply_tta(cfg)
    runner = Runner.from_cfg(cfg)
    num_params = count_params_checked(
        runner.model, None if checkpoint == 'none' else checkpoint, config)
    num_images = len(runner.test_dataloader.dataset)
    start = time.perf_counter()
    metrics = runner.test()
    seconds = time.perf_counter() - start
    return dict(
        name=name,
        config=config,
        checkpoint=checkpoint,
        params=num_params,
        images=num_images,
        seconds=seconds,
        images_per_second=num_images / seconds,
        metrics={key: float(value)
                 for key, value in metrics.items()})


def table(results: list) -> str:
    """Markdown table of the runs."""
    head = ['model', 'params'] + [title for _, title in COLUMNS] + \
        ['CPU img/s']
    lines = ['| ' + ' | '.join(head) + ' |',
             '|' + '---|' * len(head)]
    for res in results:
        cells = [res['name'], f'{res["params"] / 1e6:.3f} M']
        cells += [f'{res["metrics"].get(key, float("nan")):.2f}'
                  for key, _ in COLUMNS]
        cells.append(f'{res["images_per_second"]:.2f}')
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    register_all_modules(init_default_scope=False)
    os.makedirs(args.out, exist_ok=True)
    md_path = osp.join(args.out, 'results.md')
    if osp.exists(md_path):
        raise FileExistsError(f'{md_path} exists; choose another --out')
    # absolute: mmengine joins a relative ann_file with data_root
    ann_file = osp.abspath(osp.join(args.data_root, 'test.txt'))
    if args.num_pairs:
        ann_file = osp.abspath(
            write_split_subset(args.data_root, 'test', args.num_pairs,
                               args.out))
    results = [
        evaluate(name, config, checkpoint, args, ann_file)
        for name, config, checkpoint in args.run
    ]
    command = 'python ' + ' '.join(shlex.quote(a) for a in sys.argv)
    text = (f'{table(results)}\n\nDeepPCB test split, {results[0]["images"]}'
            f' pairs of 640x640'
            f'{", test-time augmentation (tta_pipeline)" if args.tta else ""}'
            f'; CPU img/s = whole test loop at batch 1 '
            f'({torch.get_num_threads()} torch thread(s)), reading and '
            f'metrics included.\nCommand: `{command}`\n')
    with open(md_path, 'w') as f:
        f.write(text)
    with open(osp.join(args.out, 'results.json'), 'w') as f:
        json.dump(dict(command=command, runs=results), f, indent=2)
    print(text)


if __name__ == '__main__':
    main()

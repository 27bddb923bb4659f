"""Choose DeepPCBDetectionMetric's box options on DeepPCB training pairs.

The model predicts N pairs of a split once (trainval by default, so the test
split stays unseen); every combination of the defect threshold
(``score_thr``; ``none`` = the argmax), ``merge_radius``, ``min_area`` and
``box_margin`` is then scored with DeepPCB's protocol by
:func:`mmdefect.evaluation.functional.search_box_options` (the metric's own
code path). The best combination by mAP (then F-score) is printed as the
``--cfg-options`` for ``tools/test.py`` or ``tools/benchmarks/deeppcb.py``::

    python tools/analysis_tools/tune_deeppcb_boxes.py CONFIG CHECKPOINT \\
        --data-root ../shared/data/DeepPCB/PCBData \\
        --label-root data/deeppcb_labels/ann_dir --num-pairs 300 \\
        --out work_dirs/box_search

``OUT/box_search.md`` (the best rows) and ``OUT/box_search.json`` (every
row) are written; existing ones are not overwritten.
"""
import argparse
import json
import os.path as osp
import shlex
import sys

import numpy as np
from mmengine.evaluator import BaseMetric

from mmdefect.datasets.functional.deeppcb import (DEEPPCB_CLASSES,
                                                  DEEPPCB_SPLITS,
                                                  write_split_subset)
from mmdefect.evaluation.functional import search_box_options
from mmdefect.evaluation.model_evaluation import evaluate_split
from mmdefect.utils import load_run_config

METRIC = 'DeepPCBDetectionMetric'


class _Collect(BaseMetric):
    """Keeps each prediction's logits and ground-truth boxes."""

    def __init__(self):
        super().__init__()
        self.collected = []

    def process(self, data_batch, data_samples):
        for sample in data_samples:
            if 'seg_logits' not in sample:
                raise KeyError(f'{sample.get("img_path")!r}: the model '
                               f'returned no seg_logits')
            self.results.append(
                (sample['seg_logits']['data'].float().cpu().numpy(),
                 np.asarray(sample['gt_boxes'], np.float64).reshape(-1, 5)))

    def compute_metrics(self, results):
        self.collected = list(results)
        return {}


def threshold(text: str):
    if text.lower() == 'none':
        return None
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f'{text}: a defect threshold is in '
                                         f'[0, 1] (or "none")')
    return value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the model config')
    parser.add_argument('checkpoint', help='its checkpoint')
    parser.add_argument('--data-root', required=True,
                        help="DeepPCB's PCBData folder")
    parser.add_argument('--label-root', required=True,
                        help='ann_dir of tools/dataset_converters/deeppcb.py')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--split', default='trainval', choices=DEEPPCB_SPLITS,
                        help='pairs to tune on (default trainval; tuning on '
                        'test would report a tuned-on-test number)')
    parser.add_argument('--num-pairs', type=int, default=300,
                        help='pairs evenly spaced over the split')
    parser.add_argument('--score-thrs', type=threshold, nargs='+',
                        default=[None, 0.3, 0.4, 0.5, 0.6, 0.7])
    parser.add_argument('--merge-radii', type=int, nargs='+',
                        default=[2, 4, 6, 8])
    parser.add_argument('--min-areas', type=int, nargs='+',
                        default=[1, 10, 30])
    parser.add_argument('--margins', type=int, nargs='+', default=[8, 10, 12])
    parser.add_argument('--top', type=int, default=15,
                        help='rows in the markdown table')
    return parser.parse_args(argv)


def metric_index(cfg) -> int:
    """Position of the DeepPCB metric in ``test_evaluator``."""
    evaluator = cfg.get('test_evaluator')
    metrics = evaluator if isinstance(evaluator, list) else [evaluator]
    for index, metric in enumerate(metrics):
        if metric and str(metric.get('type', '')).endswith(METRIC):
            return index if isinstance(evaluator, list) else -1
    raise ValueError(f'{cfg.filename}: test_evaluator has no {METRIC}; '
                     f'this tool tunes its options')


def cfg_options(best: dict, index: int) -> str:
    key = 'test_evaluator' + ('' if index < 0 else f'.{index}')
    thr = 'None' if best['score_thr'] is None else f'{best["score_thr"]:g}'
    return ' '.join([
        f'{key}.score_thr={thr}', f'{key}.merge_radius={best["merge_radius"]}',
        f'{key}.min_area={best["min_area"]}',
        f'{key}.box_margin={best["box_margin"]}'
    ])


def main(argv=None):
    args = parse_args(argv)
    md_path = osp.join(args.out, 'box_search.md')
    json_path = osp.join(args.out, 'box_search.json')
    for path in (md_path, json_path):
        if osp.exists(path):
            sys.exit(f'{path} exists; choose another --out')
    cfg = load_run_config(args.config)
    index = metric_index(cfg)
    pairs = write_split_subset(args.data_root, args.split, args.num_pairs,
                               args.out)
    dataset = cfg.test_dataloader.dataset
    dataset.data_root = args.data_root
    dataset.ann_file = osp.abspath(pairs)
    dataset.data_prefix = dict(
        img_path='', seg_map_path=osp.abspath(args.label_root))
    cfg.test_dataloader.update(
        num_workers=0, persistent_workers=False, batch_size=1)
    collect = _Collect()
    evaluate_split(
        cfg,
        None if args.checkpoint == 'none' else args.checkpoint,
        collect,
        split='test')
    logits = [lg for lg, _ in collect.collected]
    gts = [gt for _, gt in collect.collected]
    rows = search_box_options(
        logits,
        gts,
        score_thrs=args.score_thrs,
        merge_radii=args.merge_radii,
        min_areas=args.min_areas,
        margins=args.margins,
        class_names=DEEPPCB_CLASSES)
    command = 'python ' + ' '.join(shlex.quote(a) for a in sys.argv)
    head = ('| score_thr | merge_radius | min_area | box_margin | mAP | '
            'AP | P | R | F-score |\n|---|---|---|---|---|---|---|---|---|')
    lines = [
        f'| {r["score_thr"]} | {r["merge_radius"]} | {r["min_area"]} | '
        f'{r["box_margin"]} | {r["mAP"]:.2f} | {r["AP"]:.2f} | '
        f'{r["precision"]:.2f} | {r["recall"]:.2f} | {r["hmean"]:.2f} |'
        for r in rows[:args.top]
    ]
    best = cfg_options(rows[0], index)
    text = (f'{head}\n' + '\n'.join(lines) + f'\n\n{len(rows)} combinations '
            f'on {len(gts)} {args.split} pairs; best: `--cfg-options '
            f'{best}`\nCommand: `{command}`\n')
    with open(md_path, 'x') as f:
        f.write(text)
    with open(json_path, 'x') as f:
        json.dump(
            dict(command=command, split=args.split, pairs=len(gts),
                 best_cfg_options=best, rows=rows), f, indent=2)
    print(text)


if __name__ == '__main__':
    main()

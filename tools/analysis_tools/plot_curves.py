"""ROC and precision-recall curves of a defect model, saved as PNG.

    # run the model on the test set, save the curve data and the plots
    python tools/analysis_tools/plot_curves.py CONFIG CHECKPOINT \
        --out-dir DIR [--split test]
    # re-plot from the saved results file, without a model
    python tools/analysis_tools/plot_curves.py --results DIR/curves.npz \
        --out-dir DIR2

Scores are the per-pixel defect scores of ``DefectInferencer``. Two
levels, as in ``AnomalyMetric``:

* image: image score = maximum of the map, label = any defect pixel
  (exact);
* pixel: every non-ignored pixel; pixel scores are streamed into a
  histogram with ``AnomalyMetric``'s float binning (``--mantissa-bits``,
  default 10: relative resolution 2**-10), so memory does not grow with
  the test set. Every plotted point is an exact point of the true curve.

Writes ``curves.npz`` (the results file: image scores/labels and the pixel
histogram), ``roc.png`` and ``pr.png`` (both levels in each plot, with
AUROC / AP in the legend) into ``--out-dir``.
"""
import argparse
import os
import os.path as osp
import sys
from typing import Dict, Optional, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from mmengine.config import DictAction  # noqa: E402

from mmdefect.evaluation.functional.binned_roc import (  # noqa: E402
    auroc_from_counts, average_precision_from_counts, counts_from_scores,
    roc_from_counts)
from mmdefect.evaluation.functional.binning import float_to_key  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', nargs='?', help='config file')
    parser.add_argument('checkpoint', nargs='?', help='checkpoint file')
    parser.add_argument(
        '--results', help='curves.npz written by an earlier run; replaces '
        'CONFIG and CHECKPOINT')
    parser.add_argument('--out-dir', required=True, help='output folder')
    parser.add_argument(
        '--split', default='test', choices=['val', 'test'],
        help='dataloader of the config to evaluate (default test)')
    parser.add_argument(
        '--mantissa-bits', type=int, default=10,
        help='float-binning resolution of the pixel histogram (0..23)')
    parser.add_argument(
        '--ignore-index', type=int, default=255,
        help='label value left out (default 255)')
    parser.add_argument('--device', default='cpu', help='device to run on')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config (key=value)')
    parser.add_argument(
        '--allow-unsafe-checkpoint', action='store_true',
        help='allow full unpickling of the checkpoint; only for files you '
        'trust')
    parser.add_argument(
        '--no-progress', action='store_true', help='hide the progress bar')
    args = parser.parse_args(argv)
    if args.results is None and (args.config is None
                                 or args.checkpoint is None):
        parser.error('give CONFIG and CHECKPOINT, or --results')
    return args


class _Histogram:
    """Per-key positive/negative pixel counts, merged as images arrive."""

    def __init__(self, mantissa_bits: int):
        self.mantissa_bits = mantissa_bits
        self.keys = np.zeros(0, np.int64)
        self.pos = np.zeros(0, np.int64)
        self.neg = np.zeros(0, np.int64)

    def add(self, scores: np.ndarray, defect: np.ndarray) -> None:
        keys = float_to_key(scores, self.mantissa_bits)
        all_keys = np.concatenate([self.keys, keys])
        all_pos = np.concatenate([self.pos, defect.astype(np.int64)])
        all_neg = np.concatenate([self.neg, (~defect).astype(np.int64)])
        self.keys, inverse = np.unique(all_keys, return_inverse=True)
        self.pos = np.bincount(inverse, all_pos, len(self.keys)).astype(
            np.int64)
        self.neg = np.bincount(inverse, all_neg, len(self.keys)).astype(
            np.int64)


def collect(config: str, checkpoint: str, split: str, mantissa_bits: int,
            ignore_index: int, device: str = 'cpu',
            cfg_options: Optional[dict] = None,
            show_progress: bool = True) -> Dict[str, np.ndarray]:
    """Run the model over ``split``; return the curve data (the results
    file's arrays). The model-side imports happen here so that re-plotting
    from a results file stays light."""
    from mmengine.config import Config

    from mmdefect.apis import DefectInferencer
    from mmdefect.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    inferencer = DefectInferencer(
        cfg, checkpoint, device=device, show_progress=show_progress)
    hist = _Histogram(mantissa_bits)
    image_scores, image_labels = [], []
    for item in inferencer.dataset_scores(split, show_progress=show_progress):
        if item['labels'] is None:
            raise ValueError(
                f'curves need labels, but the {split} pipeline loads none '
                f'for {item["img_path"]}; add LoadAnnotations')
        valid = item['labels'] != ignore_index
        defect = valid & (item['labels'] > 0)
        image_scores.append(float(item['score'].max()))
        image_labels.append(bool(defect.any()))
        hist.add(item['score'][valid], defect[valid])
    return dict(
        image_scores=np.asarray(image_scores, np.float64),
        image_labels=np.asarray(image_labels, bool),
        pixel_keys=hist.keys,
        pixel_pos=hist.pos,
        pixel_neg=hist.neg,
        mantissa_bits=np.asarray(mantissa_bits))


def pr_from_counts(pos: np.ndarray,
                   neg: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Precision-recall points for descending thresholds over ascending
    per-bin counts (precision 1 where nothing is predicted)."""
    tp = np.cumsum(np.asarray(pos, np.float64)[::-1])
    fp = np.cumsum(np.asarray(neg, np.float64)[::-1])
    if tp.size == 0 or tp[-1] <= 0:
        return np.full(1, np.nan), np.full(1, np.nan)
    precision = np.divide(tp, tp + fp, out=np.ones_like(tp),
                          where=(tp + fp) > 0)
    recall = tp / tp[-1]
    return np.concatenate([[0.0], recall]), np.concatenate(
        [[1.0], precision])


def curves(data: Dict[str, np.ndarray]) -> Dict[str, dict]:
    """ROC and PR curves plus AUROC/AP of both levels."""
    _, img_pos, img_neg = counts_from_scores(data['image_scores'],
                                             data['image_labels'])
    levels = {
        'image': (img_pos, img_neg),
        'pixel': (data['pixel_pos'], data['pixel_neg']),
    }
    out = {}
    for level, (pos, neg) in levels.items():
        fpr, tpr = roc_from_counts(pos, neg)
        recall, precision = pr_from_counts(pos, neg)
        out[level] = dict(
            fpr=fpr,
            tpr=tpr,
            recall=recall,
            precision=precision,
            auroc=auroc_from_counts(pos, neg),
            ap=average_precision_from_counts(pos, neg),
            num_pos=int(np.sum(pos)),
            num_neg=int(np.sum(neg)))
    return out


def plot(data: Dict[str, np.ndarray], out_dir: str,
         title: Optional[str] = None) -> Tuple[str, str]:
    """Save ``roc.png`` and ``pr.png``; return their paths."""
    os.makedirs(out_dir, exist_ok=True)
    summary = curves(data)
    paths = []
    for name, x_key, y_key, metric, labels in (
            ('roc', 'fpr', 'tpr', 'auroc',
             ('false positive rate', 'true positive rate')),
            ('pr', 'recall', 'precision', 'ap', ('recall', 'precision'))):
        fig, ax = plt.subplots(figsize=(5, 5), dpi=100)
        for level, values in summary.items():
            legend = (f'{level} ({metric.upper()} {values[metric]:.4f}, '
                      f'{values["num_pos"]} pos / {values["num_neg"]} neg)')
            if np.isnan(values[metric]):
                legend = f'{level} (undefined: one class is empty)'
            ax.plot(values[x_key], values[y_key], label=legend,
                    drawstyle='steps-pre' if name == 'pr' else 'default')
        if name == 'roc':
            ax.plot([0, 1], [0, 1], color='grey', lw=0.8, ls='--')
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
        ax.set_title(title or ('ROC' if name == 'roc' else
                               'Precision-recall'))
        ax.legend(loc='lower right' if name == 'roc' else 'lower left',
                  fontsize=8)
        ax.grid(alpha=0.3)
        path = osp.join(out_dir, f'{name}.png')
        fig.tight_layout()
        fig.savefig(path)
        plt.close(fig)
        paths.append(path)
    return paths[0], paths[1]


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.results:
        if not osp.isfile(args.results):
            print(f'plot_curves: results file {args.results} not found',
                  file=sys.stderr)
            return 1
        with np.load(args.results) as npz:
            data = {key: npz[key] for key in npz.files}
    else:
        if args.allow_unsafe_checkpoint:
            from mmdefect.engine.safe_checkpoint import UNSAFE_ENV
            os.environ[UNSAFE_ENV] = '1'
        try:
            data = collect(args.config, args.checkpoint, args.split,
                           args.mantissa_bits, args.ignore_index,
                           args.device, args.cfg_options,
                           not args.no_progress)
        except ValueError as err:
            print(f'plot_curves: {err}', file=sys.stderr)
            return 1
        os.makedirs(args.out_dir, exist_ok=True)
        results = osp.join(args.out_dir, 'curves.npz')
        np.savez(results, **data)
        print(f'curve data written to {results}')
    roc, pr = plot(data, args.out_dir)
    summary = curves(data)
    for level, values in summary.items():
        print(f'{level}: AUROC {values["auroc"]:.4f}  AP {values["ap"]:.4f}'
              f'  ({values["num_pos"]} defect / {values["num_neg"]} normal)')
    print(f'saved {roc} and {pr}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

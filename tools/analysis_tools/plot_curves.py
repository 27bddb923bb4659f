"""ROC and precision-recall curves of a defect model, saved as PNG.

    # run the model on the test set, save the curve data and the plots
    python tools/analysis_tools/plot_curves.py CONFIG CHECKPOINT \
        --out-dir DIR [--split test]
    # re-plot from the saved curve data, without a model
    python tools/analysis_tools/plot_curves.py --results DIR/curves.npz \
        --out-dir DIR2

A thin front end over :class:`~mmdefect.evaluation.AnomalyMetric`: the
model runs over the config's ``--split`` dataloader (the loop of
``tools/test.py``) and the metric's ``curves_out`` saves the curve data
from its streaming histograms (the same file ``tools/test.py`` writes with
``AnomalyMetric(curves_out=...)`` in ``test_evaluator``). Two levels:

* image: the image score of the score rule (``--image-score``), label = any
  defect pixel (exact);
* pixel: every non-ignored pixel, from the binned histogram (``--binning``,
  default that of the config's ``AnomalyMetric``, else float binning with
  10 mantissa bits: relative resolution 2**-10), so memory does not grow
  with the test set. Every plotted point is an exact point of the true
  curve.

Writes ``curves.npz`` (never over an existing one), ``roc.png`` and
``pr.png`` (both levels in each plot, with AUROC / AP in the legend) into
``--out-dir``.
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
from _anomaly_eval_cli import (add_model_args,  # noqa: E402
                               evaluation_kwargs, load_config,
                               metric_kwargs)

from mmdefect.evaluation.functional.binned_roc import (  # noqa: E402
    counts_from_scores, curves_from_counts)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_model_args(parser, 'test', optional=True)
    parser.add_argument(
        '--results', help='curves.npz written by an earlier run (or by '
        'AnomalyMetric(curves_out=...)); replaces CONFIG and CHECKPOINT')
    parser.add_argument('--out-dir', required=True, help='output folder')
    args = parser.parse_args(argv)
    if args.results is None and (args.config is None
                                 or args.checkpoint is None):
        parser.error('give CONFIG and CHECKPOINT, or --results')
    return args


def collect(args: argparse.Namespace, results: str) -> None:
    """Run the model over ``--split``; ``AnomalyMetric`` writes the curve
    data to ``results``."""
    from mmdefect.evaluation import AnomalyMetric
    from mmdefect.evaluation.model_evaluation import evaluate_split
    cfg = load_config(args)
    metric = AnomalyMetric(curves_out=results, **metric_kwargs(cfg, args))
    evaluate_split(cfg, args.checkpoint, metric, **evaluation_kwargs(args))


def curves(data: Dict[str, np.ndarray]) -> Dict[str, dict]:
    """ROC and PR curves plus AUROC/AP of both levels."""
    _, img_pos, img_neg = counts_from_scores(data['image_scores'],
                                             data['image_labels'])
    return dict(
        image=curves_from_counts(img_pos, img_neg),
        pixel=curves_from_counts(data['pixel_pos'], data['pixel_neg']))


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
    results = args.results or osp.join(args.out_dir, 'curves.npz')
    if args.results and not osp.isfile(results):
        print(f'plot_curves: results file {results} not found',
              file=sys.stderr)
        return 1
    if not args.results:
        try:
            collect(args, results)
        except (FileExistsError, KeyError, ValueError) as err:
            print(f'plot_curves: {err}', file=sys.stderr)
            return 1
        print(f'curve data written to {results}')
    with np.load(results) as npz:
        data = {key: npz[key] for key in npz.files}
    roc, pr = plot(data, args.out_dir)
    for level, values in curves(data).items():
        print(f'{level}: AUROC {values["auroc"]:.4f}  AP {values["ap"]:.4f}'
              f'  ({values["num_pos"]} defect / {values["num_neg"]} normal)')
    print(f'saved {roc} and {pr}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

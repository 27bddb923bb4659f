"""Command-line flags shared by ``calibrate_threshold.py`` and
``plot_curves.py``: the model, the split and the ``AnomalyMetric`` score
and binning options.

The tools import this module by its path (``tools/analysis_tools/`` is the
script's folder, first on ``sys.path``); library code never imports it.
"""
import argparse
from typing import Union

from _inferencer_args import add_model_flags, load_config  # noqa: F401
from mmengine.config import Config

MISMATCH_FLAG = '--allow-mismatched-checkpoint'


def _topk(text: str) -> Union[int, float]:
    return float(text) if any(c in text for c in '.eE') else int(text)


def add_model_args(parser: argparse.ArgumentParser, split: str,
                   optional: bool = False) -> None:
    """Add ``config``, ``checkpoint``, ``--split`` (default ``split``),
    ``--device``, ``--cfg-options``, ``--allow-unsafe-checkpoint``,
    ``--allow-mismatched-checkpoint``, ``--no-progress`` and the metric
    options (defaults: the config's ``AnomalyMetric`` of that split, else
    ``AnomalyMetric``'s own, with ``--score-key auto``)."""
    add_model_flags(parser, optional)
    parser.add_argument(
        MISMATCH_FLAG, action='store_true',
        help='load a checkpoint that does not fit the model (missing, '
        'unexpected or other-shaped weights keep their initial values)')
    parser.add_argument(
        '--split', default=split, choices=['val', 'test'],
        help=f'dataloader of the config to run (default {split})')
    group = parser.add_argument_group(
        'scores and binning (default: the AnomalyMetric of the split\'s '
        'evaluator in the config)')
    group.add_argument('--score-key',
                       choices=['auto', 'anomaly_map', 'seg_logits'])
    group.add_argument('--image-score', choices=['max', 'topk_mean'])
    group.add_argument('--topk', type=_topk,
                       help='pixels (int) or fraction (float) of topk_mean')
    group.add_argument('--binning', choices=['float', 'linear', 'exact'])
    group.add_argument('--mantissa-bits', type=int,
                       help='resolution of float binning (0..23)')
    group.add_argument('--num-bins', type=int, help='bins of linear binning')
    group.add_argument('--score-range', type=float, nargs=2,
                       metavar=('LOW', 'HIGH'),
                       help='range of linear binning')
    group.add_argument('--ignore-index', type=int,
                       help='label value left out (default 255)')


def metric_kwargs(cfg: Config, args: argparse.Namespace) -> dict:
    """``AnomalyMetric`` arguments: the config's, overridden by the flags."""
    from mmdefect.evaluation.model_evaluation import (SCORE_OPTIONS,
                                                      anomaly_metric_options)
    kwargs = dict(score_key='auto')
    kwargs.update(anomaly_metric_options(cfg, args.split))
    for key in SCORE_OPTIONS:
        if getattr(args, key) is not None:
            kwargs[key] = getattr(args, key)
    return kwargs


def evaluation_kwargs(args: argparse.Namespace) -> dict:
    """``evaluate_split`` arguments after the config, checkpoint and
    metric: split, device, progress and the checkpoint-match opt-in."""
    return dict(
        split=args.split,
        device=args.device,
        show_progress=not args.no_progress,
        strict_checkpoint=not args.allow_mismatched_checkpoint,
        mismatch_hint=f'pass {MISMATCH_FLAG}')

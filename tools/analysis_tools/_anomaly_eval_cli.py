"""Command-line flags shared by ``calibrate_threshold.py`` and
``plot_curves.py``: the model, the split and the ``AnomalyMetric`` score
and binning options.

The tools import this module by its path (``tools/analysis_tools/`` is the
script's folder, first on ``sys.path``); library code never imports it.
"""
import argparse
from typing import Union

from mmengine.config import Config, DictAction

UNSAFE_FLAG = '--allow-unsafe-checkpoint'


def _topk(text: str) -> Union[int, float]:
    return float(text) if any(c in text for c in '.eE') else int(text)


def add_model_args(parser: argparse.ArgumentParser, split: str,
                   optional: bool = False) -> None:
    """Add ``config``, ``checkpoint``, ``--split`` (default ``split``),
    ``--device``, ``--cfg-options``, ``--allow-unsafe-checkpoint``,
    ``--no-progress`` and the metric options (defaults: the config's
    ``AnomalyMetric`` of that split, else ``AnomalyMetric``'s own, with
    ``--score-key auto``)."""
    nargs = '?' if optional else None
    parser.add_argument('config', nargs=nargs, help='config file')
    parser.add_argument('checkpoint', nargs=nargs, help='checkpoint file')
    parser.add_argument(
        '--split', default=split, choices=['val', 'test'],
        help=f'dataloader of the config to run (default {split})')
    parser.add_argument('--device', default='cpu', help='device to run on')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings of the config (key=value)')
    parser.add_argument(
        UNSAFE_FLAG, action='store_true',
        help='allow full unpickling of the checkpoint; only for files you '
        'trust')
    parser.add_argument(
        '--no-progress', action='store_true', help='hide the progress bar')
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


def load_config(args: argparse.Namespace) -> Config:
    """The config with ``--cfg-options``, mmseg and mmdefect registered and
    the unsafe opt-in applied (:func:`mmdefect.utils.load_run_config`)."""
    from mmdefect.engine.safe_checkpoint import offer_unsafe_flag
    from mmdefect.utils import load_run_config
    offer_unsafe_flag(UNSAFE_FLAG)
    return load_run_config(
        args.config,
        cfg_options=args.cfg_options,
        allow_unsafe_checkpoint=args.allow_unsafe_checkpoint)


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

"""Command-line plumbing shared by the tools that run DefectInferencer.

``tools/infer.py`` and ``tools/analysis_tools/calibrate_threshold.py`` take
the same model arguments and build the model the same way; these two
functions are that common part.  (``plot_curves.py`` keeps its own lazy
imports so that re-plotting saved curves does not load torch.)
"""
import argparse
import os

from mmengine.config import Config, DictAction

from mmdefect.engine.safe_checkpoint import UNSAFE_ENV
from mmdefect.utils import register_all_modules

from .defect_inferencer import DefectInferencer


def add_inferencer_args(parser: argparse.ArgumentParser,
                        checkpoint_help: str = 'checkpoint file',
                        optional: bool = False) -> None:
    """Add ``config``, ``checkpoint``, ``--device``, ``--cfg-options``,
    ``--allow-unsafe-checkpoint`` and ``--no-progress`` to ``parser``.

    Args:
        parser: the tool's parser.
        checkpoint_help (str): help text of the checkpoint argument.
        optional (bool): make ``config`` and ``checkpoint`` optional (for a
            tool that can also work from saved results).
    """
    nargs = '?' if optional else None
    parser.add_argument('config', nargs=nargs, help='config file')
    parser.add_argument('checkpoint', nargs=nargs, help=checkpoint_help)
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


def build_inferencer(args: argparse.Namespace, **kwargs) -> DefectInferencer:
    """The :class:`DefectInferencer` the arguments of
    :func:`add_inferencer_args` describe; ``kwargs`` go to its constructor.
    """
    if args.allow_unsafe_checkpoint:
        os.environ[UNSAFE_ENV] = '1'
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    return DefectInferencer(
        cfg,
        args.checkpoint,
        device=args.device,
        show_progress=not args.no_progress,
        **kwargs)

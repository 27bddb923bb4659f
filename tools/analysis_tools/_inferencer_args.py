"""Command-line flags of the tools that run a model from a config and a
checkpoint (``tools/infer.py``; the analysis tools can share them).

Imported by path: ``tools/analysis_tools/`` is first on ``sys.path`` for
the tools in it, and ``tools/infer.py`` puts it there; library code never
imports it.
"""
import argparse

from mmengine.config import Config, DictAction

UNSAFE_FLAG = '--allow-unsafe-checkpoint'


def add_model_flags(parser: argparse.ArgumentParser,
                    optional: bool = False) -> None:
    """Add ``config``, ``checkpoint`` (optional ones with ``optional``),
    ``--device``, ``--cfg-options``, ``--allow-unsafe-checkpoint`` and
    ``--no-progress``."""
    nargs = '?' if optional else None
    parser.add_argument('config', nargs=nargs, help='config file')
    parser.add_argument('checkpoint', nargs=nargs, help='checkpoint file')
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


def load_config(args: argparse.Namespace) -> Config:
    """The config with ``--cfg-options``, mmseg and mmdefect registered and
    the unsafe opt-in applied (:func:`mmdefect.utils.load_run_config`);
    checkpoint refusals name ``--allow-unsafe-checkpoint``."""
    from mmdefect.engine.safe_checkpoint import offer_unsafe_flag
    from mmdefect.utils import load_run_config
    offer_unsafe_flag(UNSAFE_FLAG)
    return load_run_config(
        args.config,
        cfg_options=args.cfg_options,
        allow_unsafe_checkpoint=args.allow_unsafe_checkpoint)

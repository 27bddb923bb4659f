"""Command-line flags shared by ``tools/train.py`` and ``tools/test.py``.

The tools import this module by its path (``tools/`` is the script's folder,
first on ``sys.path``); library code never imports it.  The flags are turned
into plain values for :func:`mmdefect.utils.load_run_config`.
"""
import argparse
import os

from mmengine.config import Config, DictAction

UNSAFE_FLAG = '--allow-unsafe-checkpoint'


def add_run_args(parser: argparse.ArgumentParser,
                 unsafe_help: str) -> argparse.ArgumentParser:
    """Add ``--cfg-options``, ``--launcher``, ``--allow-unsafe-checkpoint``
    and ``--local-rank`` (mmseg's spelling and defaults)."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file.')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument(UNSAFE_FLAG, action='store_true', help=unsafe_help)
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser


def parse_run_args(parser: argparse.ArgumentParser,
                   argv=None) -> argparse.Namespace:
    """Parse ``argv`` and export ``LOCAL_RANK`` as mmseg's tools do."""
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def run_config_from_args(args: argparse.Namespace) -> Config:
    """:func:`mmdefect.utils.load_run_config` with the parsed flags.

    Also makes checkpoint refusals name ``--allow-unsafe-checkpoint``, which
    these tools have (MMSeg's own tools do not).
    """
    from mmdefect.engine.safe_checkpoint import offer_unsafe_flag
    from mmdefect.utils import load_run_config
    offer_unsafe_flag(UNSAFE_FLAG)
    return load_run_config(
        args.config,
        cfg_options=args.cfg_options,
        work_dir=args.work_dir,
        launcher=args.launcher,
        allow_unsafe_checkpoint=args.allow_unsafe_checkpoint)

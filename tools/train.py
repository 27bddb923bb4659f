"""Train a segmentor (mmseg 1.x ``tools/train.py`` interface)."""
import argparse
import logging

from _cli_common import add_run_args, parse_run_args, run_config_from_args
from mmengine.logging import print_log
from mmengine.runner import Runner

from mmdefect.utils import (check_fresh_work_dir, release_dist,
                            resume_checkpoint_or_none)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a segmentor')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    resume = parser.add_mutually_exclusive_group()
    resume.add_argument(
        '--resume',
        action='store_true',
        default=False,
        help='resume from the latest checkpoint in the work_dir '
        'automatically (an empty work dir trains from scratch, with a '
        'warning)')
    resume.add_argument(
        '--overwrite',
        action='store_true',
        help='train from scratch into a work dir that holds checkpoints of '
        'an earlier run: its *.pth files and last_checkpoint are deleted '
        'first (without this flag, or --resume, such a work dir is refused)')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic-mixed-precision training')
    add_run_args(
        parser, 'allow full unpickling of load_from/resume checkpoints; only '
        'for files you trust')
    return parse_run_args(parser, argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = run_config_from_args(args)

    if args.amp:
        optim_wrapper = cfg.optim_wrapper.type
        if optim_wrapper == 'AmpOptimWrapper':
            print_log(
                'AMP training is already enabled in your config.',
                logger='current',
                level=logging.WARNING)
        else:
            assert optim_wrapper == 'OptimWrapper', (
                '`--amp` is only supported when the optimizer wrapper type '
                f'is `OptimWrapper` but got {optim_wrapper}.')
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.loss_scale = 'dynamic'
    if args.resume and cfg.get('load_from') is None:
        cfg.load_from = resume_checkpoint_or_none(cfg.work_dir)
        cfg.resume = cfg.load_from is not None
    else:
        cfg.resume = args.resume
    if not args.resume:
        check_fresh_work_dir(cfg.work_dir, overwrite=args.overwrite)

    runner = Runner.from_cfg(cfg)
    runner.train()
    release_dist()


if __name__ == '__main__':
    main()

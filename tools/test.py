"""Test (and evaluate) a segmentor (mmseg 1.x ``tools/test.py`` interface)."""
import argparse
import os.path as osp

from _cli_common import add_run_args, parse_run_args, run_config_from_args
from mmengine.runner import Runner

from mmdefect.utils import (apply_tta, count_params_checked, release_dist,
                            set_prediction_output)

MISMATCH_FLAG = '--allow-mismatched-checkpoint'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='MMSeg test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint',
        nargs='?',
        help='checkpoint file (omitted only for parameter-free models such '
        'as the classical baselines)')
    parser.add_argument(
        '--work-dir',
        help='if specified, the evaluation metric results will be dumped '
        'into the directory as json')
    parser.add_argument(
        '--out',
        type=str,
        help='The directory to save output prediction for offline evaluation')
    parser.add_argument(
        '--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--show-dir',
        help='directory where painted images will be saved (a relative path '
        'is relative to the current directory, not to the work dir); the '
        'panels go to SHOW_DIR/vis_data/vis_image/')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument(
        '--tta', action='store_true', help='Test time augmentation')
    parser.add_argument(
        MISMATCH_FLAG,
        action='store_true',
        help='evaluate even if the checkpoint does not fit the model '
        '(missing, unexpected or differently shaped weights; by default '
        'such a checkpoint is refused)')
    add_run_args(
        parser, 'allow full unpickling of the checkpoint; only for files you '
        'trust')
    return parse_run_args(parser, argv)


def trigger_visualization_hook(cfg, args):
    default_hooks = cfg.default_hooks
    if 'visualization' not in default_hooks:
        raise RuntimeError(
            'VisualizationHook must be included in default_hooks; '
            'refer to usage "visualization=dict(type=\'SegVisualizationHook\')"')
    visualization_hook = default_hooks['visualization']
    visualization_hook['draw'] = True
    if args.show:
        visualization_hook['show'] = True
        visualization_hook['wait_time'] = args.wait_time
    if args.show_dir:
        visualizer = cfg.visualizer
        visualizer['save_dir'] = args.show_dir
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = run_config_from_args(args)
    if args.checkpoint is not None:
        if not osp.isfile(args.checkpoint):
            raise FileNotFoundError(f'checkpoint {args.checkpoint} not found')
        cfg.load_from = args.checkpoint
        cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
            dict(
                type='CheckpointMatchHook',
                strict=not args.allow_mismatched_checkpoint,
                filename=args.checkpoint,
                hint=f'pass {MISMATCH_FLAG}')
        ]

    if args.show or args.show_dir:
        cfg = trigger_visualization_hook(cfg, args)
    if args.tta:
        apply_tta(cfg)
    if args.out is not None:
        set_prediction_output(cfg, args.out)

    runner = Runner.from_cfg(cfg)
    count_params_checked(runner.model, args.checkpoint, args.config)
    runner.test()
    release_dist()


if __name__ == '__main__':
    main()

import argparse

import pytest

from mmdefect.apis import add_inferencer_args


def test_inferencer_args_parse_as_the_tools_expect():
    parser = argparse.ArgumentParser()
    add_inferencer_args(parser, 'the weights')
    args = parser.parse_args(
        ['model.py', 'w.pth', '--device', 'cpu', '--cfg-options',
         'model.test_cfg.mode=whole', '--allow-unsafe-checkpoint',
         '--no-progress'])
    assert (args.config, args.checkpoint, args.device) == (
        'model.py', 'w.pth', 'cpu')
    assert args.cfg_options == {'model.test_cfg.mode': 'whole'}
    assert args.allow_unsafe_checkpoint and args.no_progress
    assert 'the weights' in parser.format_help()
    defaults = parser.parse_args(['model.py', 'w.pth'])
    assert defaults.device == 'cpu' and defaults.cfg_options is None
    assert not defaults.allow_unsafe_checkpoint and not defaults.no_progress


def test_positionals_required_unless_optional():
    strict = argparse.ArgumentParser()
    add_inferencer_args(strict)
    with pytest.raises(SystemExit):
        strict.parse_args([])
    lenient = argparse.ArgumentParser()
    add_inferencer_args(lenient, optional=True)
    args = lenient.parse_args([])
    assert args.config is None and args.checkpoint is None

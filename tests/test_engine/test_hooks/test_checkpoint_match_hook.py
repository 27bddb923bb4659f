from types import SimpleNamespace

import pytest
from mmengine.config import Config
from mmseg.registry import HOOKS
from torch import nn

from mmdefect.engine import CheckpointMismatchError


def test_hook_checks_the_loaded_checkpoint_against_the_runner_model():
    model = nn.Linear(3, 2)
    runner = SimpleNamespace(model=model, cfg=Config(dict(load_from='w.pth')))
    hook = HOOKS.build(dict(type='CheckpointMatchHook'))
    hook.after_load_checkpoint(runner, dict(state_dict=model.state_dict()))
    bad = dict(state_dict=nn.Linear(4, 2).state_dict())
    with pytest.raises(CheckpointMismatchError,
                       match=r'checkpoint w\.pth does not match .*weight '
                       r'2x4 in the checkpoint, 2x3 in the model.*strict='
                       r'False in the CheckpointMatchHook'):
        hook.after_load_checkpoint(runner, bad)
    HOOKS.build(dict(type='CheckpointMatchHook',
                     strict=False)).after_load_checkpoint(runner, bad)

import random
from types import SimpleNamespace

import numpy as np
import torch
from mmseg.registry import HOOKS

from mmdefect.engine import safe_torch_load


def draws():
    return (random.random(), float(np.random.rand()), float(torch.rand(1)))


def test_states_round_trip_through_a_safe_checkpoint(tmp_path):
    hook = HOOKS.build(dict(type='RNGStateHook'))
    random.seed(1)
    np.random.seed(2)
    torch.manual_seed(3)
    checkpoint = {'state_dict': {}}
    hook.before_save_checkpoint(None, checkpoint)
    expected = draws()
    path = str(tmp_path / 'iter_1.pth')
    torch.save(checkpoint, path)
    loaded = safe_torch_load(path)
    assert set(loaded['meta']['rng_state']) >= {'python', 'numpy', 'torch'}

    random.seed(10)
    np.random.seed(20)
    torch.manual_seed(30)
    hook.after_load_checkpoint(SimpleNamespace(_resume=True), loaded)
    # Python and NumPy at once; torch only before the first resumed
    # iteration (the data loader iterator draws from torch in between)
    python, numpy = random.random(), float(np.random.rand())
    torch.rand(1)
    hook.before_train_iter(None, 0)
    assert (python, numpy, float(torch.rand(1))) == expected
    # restored once: later iterations leave the stream alone
    state = torch.get_rng_state()
    hook.before_train_iter(None, 1)
    assert torch.equal(torch.get_rng_state(), state)


def test_nothing_is_restored_without_resume_or_state():
    hook = HOOKS.build(dict(type='RNGStateHook'))
    checkpoint = {}
    hook.before_save_checkpoint(None, checkpoint)
    for runner, ckpt in ((SimpleNamespace(_resume=False), checkpoint),
                         (SimpleNamespace(_resume=True), {
                             'meta': {}
                         })):
        random.seed(5)
        hook.after_load_checkpoint(runner, ckpt)
        hook.before_train_iter(None, 0)
        value = random.random()
        random.seed(5)
        assert random.random() == value

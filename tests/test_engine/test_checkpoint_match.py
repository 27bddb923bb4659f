import logging

import pytest
import torch
from torch import nn

from mmdefect.engine import checkpoint_match
from mmdefect.engine.checkpoint_match import (CheckpointMismatchError,
                                              check_state_dict_matches,
                                              compare_state_dicts)


def small_model(hidden=4):
    return nn.Sequential(nn.Linear(3, hidden), nn.BatchNorm1d(hidden),
                         nn.Linear(hidden, 2))


def test_matching_checkpoint_passes_with_or_without_module_prefix():
    model = small_model()
    state = model.state_dict()
    assert not any(check_state_dict_matches(model, state, 'a.pth').values())
    wrapped = {'module.' + k: v for k, v in state.items()}
    diff = check_state_dict_matches(model, dict(state_dict=wrapped), 'a.pth')
    assert diff == dict(missing=[], unexpected=[], shape=[])


def test_missing_unexpected_and_shape_mismatches_are_named():
    model = small_model()
    other = small_model(hidden=8).state_dict()
    other.pop('0.bias')
    other['extra.weight'] = torch.zeros(1)
    diff = compare_state_dicts(model.state_dict(), other)
    assert diff['missing'] == ['0.bias']
    assert diff['unexpected'] == ['extra.weight']
    assert ('0.weight', (8, 3), (4, 3)) in diff['shape']
    # 0.weight, 1.weight/bias/running_mean/running_var, 2.weight
    assert len(diff['shape']) == 6
    with pytest.raises(CheckpointMismatchError) as err:
        check_state_dict_matches(
            model, dict(state_dict=other, meta={}), 'other.pth',
            hint='pass --allow-mismatched-checkpoint')
    message = str(err.value)
    assert message.startswith('checkpoint other.pth does not match the '
                              'model (Sequential)')
    assert '1 model weights are missing from it (0.bias)' in message
    assert '1 of its weights are not in the model (extra.weight)' in message
    assert ('6 weights have another shape (0.weight 8x3 in the checkpoint, '
            '4x3 in the model, ') in message
    assert 'and 3 more' in message
    assert message.endswith('pass --allow-mismatched-checkpoint.')


def test_not_strict_warns_and_returns_the_differences(monkeypatch):
    logged = []
    monkeypatch.setattr(checkpoint_match, 'print_log',
                        lambda msg, **kwargs: logged.append((msg, kwargs)))
    model = small_model()
    state = model.state_dict()
    state.pop('2.weight')
    diff = check_state_dict_matches(model, state, 'x.pth', strict=False)
    assert diff['missing'] == ['2.weight']
    (message, kwargs), = logged
    assert message.startswith('checkpoint x.pth does not match the model')
    assert 'Loading it anyway' in message
    assert kwargs['level'] == logging.WARNING


def test_test_time_augmentation_model_is_compared_as_loaded():
    # tools/test.py --tta wraps the model in MMSeg's SegTTAModel, whose keys
    # carry a 'module.' prefix; mmengine loads the checkpoint into .module
    from mmseg.models import SegTTAModel
    model = small_model()
    model.test_step = lambda data: data  # BaseTTAModel asserts it exists
    tta = SegTTAModel(module=model)
    assert all(key.startswith('module.') for key in tta.state_dict())
    state = model.state_dict()
    diff = check_state_dict_matches(tta, dict(state_dict=state), 'a.pth')
    assert diff == dict(missing=[], unexpected=[], shape=[])
    other = small_model(hidden=8).state_dict()
    with pytest.raises(CheckpointMismatchError) as err:
        check_state_dict_matches(tta, other, 'other.pth')
    message = str(err.value)
    assert 'model (Sequential)' in message
    assert ('0.weight 8x3 in the checkpoint, 4x3 in the model'
            in message)

import pytest
import torch
from mmengine.optim import build_optim_wrapper
from torch import nn


class TwoBranch(nn.Module):

    def __init__(self):
        super().__init__()
        self.backbone = nn.Linear(3, 3)
        self.ref_backbone = nn.Linear(3, 3)
        self.ref_backbone.requires_grad_(False)


def cfg(**kwargs):
    return dict(type='OptimWrapper',
                constructor='SiameseOptimWrapperConstructor',
                optimizer=dict(type='AdamW', lr=0.1), **kwargs)


@pytest.mark.parametrize('paramwise', [None, dict(bias_lr_mult=2.0)])
def test_frozen_parameters_are_not_in_the_optimizer(paramwise):
    model = TwoBranch()
    extra = dict(paramwise_cfg=paramwise) if paramwise else {}
    wrapper = build_optim_wrapper(model, cfg(**extra))
    listed = [p for g in wrapper.optimizer.param_groups for p in g['params']]
    assert {id(p) for p in listed} == {id(p) for p in
                                       model.backbone.parameters()}
    model.backbone(torch.ones(1, 3)).sum().backward()
    wrapper.step()
    assert len(wrapper.optimizer.state) == 2


def test_custom_key_on_frozen_branch_is_an_error():
    with pytest.raises(ValueError, match='ref_backbone.*frozen'):
        build_optim_wrapper(
            TwoBranch(),
            cfg(paramwise_cfg=dict(
                custom_keys={'ref_backbone': dict(lr_mult=0.1)})))


def test_custom_key_on_trainable_branch_is_applied():
    wrapper = build_optim_wrapper(
        TwoBranch(),
        cfg(paramwise_cfg=dict(custom_keys={'backbone.': dict(lr_mult=0.1)})))
    lrs = sorted(g['lr'] for g in wrapper.optimizer.param_groups)
    assert lrs == pytest.approx([0.01, 0.01])

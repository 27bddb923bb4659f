import pytest
import torch
import torch.distributed as dist

from mmdefect.utils import count_params_checked, release_dist


def test_release_dist_destroys_the_group_and_is_a_noop_without_one(tmp_path):
    release_dist()  # no group: nothing to do, no error
    dist.init_process_group(
        backend='gloo', init_method=f'file://{tmp_path / "store"}', rank=0,
        world_size=1)
    assert dist.is_initialized()
    release_dist()
    assert not dist.is_initialized()


def test_count_params_checked_refuses_weights_without_checkpoint():
    layer = torch.nn.Linear(3, 2)
    assert count_params_checked(layer, 'w.pth', 'cfg.py') == 8
    with pytest.raises(ValueError, match=r'cfg.py: the model has 8 '
                       r'parameters, so a checkpoint is required'):
        count_params_checked(layer, None, 'cfg.py')
    assert count_params_checked(torch.nn.Identity(), None, 'cfg.py') == 0

import torch.distributed as dist

from mmdefect.utils import release_dist


def test_release_dist_destroys_the_group_and_is_a_noop_without_one(tmp_path):
    release_dist()  # no group: nothing to do, no error
    dist.init_process_group(
        backend='gloo', init_method=f'file://{tmp_path / "store"}', rank=0,
        world_size=1)
    assert dist.is_initialized()
    release_dist()
    assert not dist.is_initialized()

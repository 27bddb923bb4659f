import pytest
import torch
import torch.distributed as dist
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper
from mmseg.registry import MODEL_WRAPPERS

from mmdefect.engine import CPUDistributedDataParallel
from mmdefect.testing import free_port


class Toy(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)
        self.register_buffer('count', torch.zeros(1))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = self.linear(inputs)
        if mode == 'loss':
            return dict(loss=out.pow(2).mean())
        return out


@pytest.fixture
def gloo_world(monkeypatch):
    """A process group of one CPU process (gloo)."""
    monkeypatch.setenv('MASTER_ADDR', '127.0.0.1')
    monkeypatch.setenv('MASTER_PORT', str(free_port()))
    dist.init_process_group('gloo', rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def test_wraps_a_cpu_model_despite_device_ids(gloo_world):
    model = Toy()
    # mmengine's runner always passes device_ids=[LOCAL_RANK]; torch's DDP
    # rejects them for CPU modules
    with pytest.raises(ValueError):
        torch.nn.parallel.DistributedDataParallel(model, device_ids=[0])
    wrapped = MODEL_WRAPPERS.build(
        dict(type='CPUDistributedDataParallel', module=model, device_ids=[0]))
    assert isinstance(wrapped, CPUDistributedDataParallel)
    assert wrapped.device_ids is None
    assert wrapped.broadcast_buffers is False
    assert wrapped.module is model
    before = model.linear.weight.detach().clone()
    optim = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = wrapped.train_step(
        dict(inputs=torch.ones(4, 2)), OptimWrapper(optim))
    assert losses['loss'] > 0
    assert not torch.equal(model.linear.weight, before)

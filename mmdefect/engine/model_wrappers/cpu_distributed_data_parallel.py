"""DistributedDataParallel for CPU processes."""
from mmengine.model import MMDistributedDataParallel
from mmseg.registry import MODEL_WRAPPERS
from torch import nn


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` for models that live on the CPU.

    mmengine's runner always passes ``device_ids=[LOCAL_RANK]``, which
    torch's DDP rejects for CPU modules; this wrapper drops them.  The
    train/test tools select it automatically when distributed training is
    launched on a machine without CUDA (gloo backend); GPU runs keep
    mmengine's default wrapper and NCCL.
    """

    def __init__(self, module: nn.Module, device_ids=None, **kwargs):
        kwargs.setdefault('broadcast_buffers', False)
        super().__init__(module=module, device_ids=None, **kwargs)

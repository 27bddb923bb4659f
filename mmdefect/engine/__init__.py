from .atomic_local_backend import (AtomicLocalBackend,
                                   register_atomic_local_backend)
from .hooks import RNGStateHook
from .model_wrappers import CPUDistributedDataParallel
from .optimizers import SiameseOptimWrapperConstructor
from .safe_checkpoint import (UnsafeCheckpointError, register_safe_checkpoint_loaders,
                              safe_torch_load)

register_safe_checkpoint_loaders()
register_atomic_local_backend()

__all__ = [
    'AtomicLocalBackend', 'register_atomic_local_backend', 'RNGStateHook',
    'CPUDistributedDataParallel',
    'SiameseOptimWrapperConstructor', 'UnsafeCheckpointError',
    'register_safe_checkpoint_loaders', 'safe_torch_load'
]

from .optimizers import SiameseOptimWrapperConstructor
from .safe_checkpoint import (UnsafeCheckpointError, register_safe_checkpoint_loaders,
                              safe_torch_load)

register_safe_checkpoint_loaders()

__all__ = [
    'SiameseOptimWrapperConstructor', 'UnsafeCheckpointError',
    'register_safe_checkpoint_loaders', 'safe_torch_load'
]

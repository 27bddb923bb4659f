from .atomic_local_backend import (AtomicLocalBackend, atomic_output,
                                   atomic_write_bytes, default_file_mode,
                                   register_atomic_local_backend)
from .checkpoint_match import (CheckpointMismatchError,
                               check_state_dict_matches)
from .hooks import CheckpointMatchHook, RNGStateHook
from .model_wrappers import CPUDistributedDataParallel
from .optimizers import SiameseOptimWrapperConstructor
from .safe_checkpoint import (CheckpointFormatError, UnsafeCheckpointError,
                              offer_unsafe_flag,
                              register_safe_checkpoint_loaders,
                              safe_torch_load)

register_safe_checkpoint_loaders()
register_atomic_local_backend()

__all__ = [
    'AtomicLocalBackend', 'atomic_output', 'atomic_write_bytes',
    'default_file_mode',
    'register_atomic_local_backend', 'RNGStateHook', 'CheckpointFormatError',
    'offer_unsafe_flag', 'CheckpointMatchHook', 'CheckpointMismatchError',
    'check_state_dict_matches',
    'CPUDistributedDataParallel',
    'SiameseOptimWrapperConstructor', 'UnsafeCheckpointError',
    'register_safe_checkpoint_loaders', 'safe_torch_load'
]

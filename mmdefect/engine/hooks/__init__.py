from .checkpoint_match_hook import CheckpointMatchHook
from .rng_state_hook import RNGStateHook

__all__ = ['CheckpointMatchHook', 'RNGStateHook']

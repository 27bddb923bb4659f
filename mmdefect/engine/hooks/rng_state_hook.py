"""Carry the random generators' states through checkpoints."""
import random

import numpy as np
import torch
from mmengine.hooks import Hook
from mmseg.registry import HOOKS


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Save Python's, NumPy's and torch's global RNG states in every
    checkpoint and restore them when training resumes.

    onedl-mmengine resumes an iteration-based run by fast-forwarding the
    sampler without loading the skipped batches, so the augmentation draws of
    those batches are never made and, without this hook, the resumed run's
    random stream (paired/droplet augmentation, dropout, drop-path) differs
    from an uninterrupted run's.  With it, and ``num_workers=0``, a resumed
    CPU run reaches bit-identical weights.  Data-loader workers re-seed
    themselves when they restart, so with ``num_workers > 0`` the
    augmentations after a resume differ (same distribution, other draws).

    The states are stored under ``checkpoint['meta']['rng_state']``; only
    tensors, arrays, ints and strings, so they pass the safe loader.
    Python's and NumPy's states are restored right after the checkpoint is
    loaded, before the first resumed batch is augmented.  torch's state is
    restored just before the first resumed iteration: creating the data
    loader iterator draws one number from torch's generator, a draw the
    uninterrupted run made at its start, not at the checkpoint.
    """

    priority = 'VERY_LOW'

    def __init__(self):
        self._pending_torch = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        state = dict(
            python=random.getstate(),
            numpy=np.random.get_state(),
            torch=torch.get_rng_state())
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            state['cuda'] = torch.cuda.get_rng_state_all()
        checkpoint.setdefault('meta', {})['rng_state'] = state

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('meta', {}).get('rng_state')
        if state is None or not getattr(runner, '_resume', False):
            return
        random.setstate(state['python'])
        np.random.set_state(state['numpy'])
        self._pending_torch = state

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        state, self._pending_torch = self._pending_torch, None
        if state is None:
            return
        torch.set_rng_state(state['torch'])
        if 'cuda' in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state['cuda'])

"""Refuse a checkpoint whose weights do not fit the model.

mmengine loads checkpoints with ``strict=False`` and only logs missing,
unexpected and shape-mismatched keys, so testing a model with another
model's checkpoint evaluates partly random weights and exits 0.
:func:`check_state_dict_matches` compares the two key sets and shapes first
and raises an error naming the first few offending keys.
"""
import logging
import re
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import torch
from mmengine.logging import print_log
from mmengine.model import BaseTTAModel, is_model_wrapper

# mmengine's default ``revise_keys``: weights saved from a wrapped model
REVISE_KEYS: Sequence[Tuple[str, str]] = ((r'^module\.', ''), )
DEFAULT_HINT = ('pass strict=False to load it anyway (weights missing from '
                'the checkpoint keep their initial values)')


class CheckpointMismatchError(ValueError):
    """A checkpoint's state dict does not fit the model."""


def _shape(value) -> Optional[tuple]:
    return tuple(value.shape) if isinstance(value, torch.Tensor) else None


def compare_state_dicts(model_state: Mapping,
                        ckpt_state: Mapping) -> Dict[str, List]:
    """Keys missing from / unexpected in ``ckpt_state`` and shape clashes.

    Returns:
        dict: ``missing`` and ``unexpected`` (sorted key lists) and
        ``shape`` (list of ``(key, checkpoint_shape, model_shape)``).
    """
    missing = sorted(set(model_state) - set(ckpt_state))
    unexpected = sorted(set(ckpt_state) - set(model_state))
    shape = []
    for key in sorted(set(model_state) & set(ckpt_state)):
        want, got = _shape(model_state[key]), _shape(ckpt_state[key])
        if want is not None and got is not None and want != got:
            shape.append((key, got, want))
    return dict(missing=missing, unexpected=unexpected, shape=shape)


def _dims(shape: tuple) -> str:
    return 'x'.join(str(d) for d in shape) or 'scalar'


def _examples(items: Sequence, limit: int) -> str:
    shown = ', '.join(str(item) for item in items[:limit])
    more = len(items) - limit
    return shown + (f' and {more} more' if more > 0 else '')


def describe_mismatch(diff: Dict[str, List], limit: int = 3) -> str:
    """One sentence per kind of mismatch, naming the first ``limit`` keys."""
    parts = []
    if diff['missing']:
        parts.append(f'{len(diff["missing"])} model weights are missing '
                     f'from it ({_examples(diff["missing"], limit)})')
    if diff['unexpected']:
        parts.append(f'{len(diff["unexpected"])} of its weights are not in '
                     f'the model ({_examples(diff["unexpected"], limit)})')
    if diff['shape']:
        shapes = [
            f'{key} {_dims(got)} in the checkpoint, {_dims(want)} in the '
            f'model' for key, got, want in diff['shape']
        ]
        parts.append(f'{len(shapes)} weights have another shape '
                     f'({_examples(shapes, limit)})')
    return '; '.join(parts)


def unwrap_for_loading(model: torch.nn.Module) -> torch.nn.Module:
    """The module whose state dict mmengine's loader fills.

    mmengine's ``load_state_dict`` loads a checkpoint into ``.module`` of a
    model wrapper or test-time-augmentation model (``BaseTTAModel``, e.g.
    MMSeg's ``SegTTAModel``), so their ``module.`` key prefix is not part
    of the checkpoint.  Nested wrappers (DDP around a TTA model) are
    unwrapped one after the other.
    """
    while is_model_wrapper(model) or isinstance(model, BaseTTAModel):
        model = model.module
    return model


def check_state_dict_matches(model: torch.nn.Module,
                             state_dict: Mapping,
                             filename: Optional[str] = None,
                             strict: bool = True,
                             hint: Optional[str] = None,
                             limit: int = 3) -> Dict[str, List]:
    """Check that ``state_dict`` fits ``model`` exactly before loading it.

    Args:
        model: The model (a model wrapper or test-time-augmentation model
            is unwrapped, see :func:`unwrap_for_loading`).
        state_dict: The checkpoint's state dict, or the whole checkpoint
            (its ``'state_dict'`` entry is used, as mmengine does).  Keys
            are revised like mmengine's loader (a ``module.`` prefix is
            dropped).
        filename: The checkpoint's name for the message.
        strict: Raise on any mismatch (default); ``False`` logs a warning
            with the same summary instead.
        hint: How the user relaxes the check, appended to the error (for
            example ``'pass --allow-mismatched-checkpoint'``).
        limit: How many keys of each kind the message names.

    Returns:
        dict: The differences (see :func:`compare_state_dicts`); all empty
        when the checkpoint matches.

    Raises:
        CheckpointMismatchError: ``strict`` and a key is missing, unexpected
            or of another shape.
    """
    model = unwrap_for_loading(model)
    if 'state_dict' in state_dict and isinstance(state_dict['state_dict'],
                                                 Mapping):
        state_dict = state_dict['state_dict']
    revised = {}
    for key, value in state_dict.items():
        for pattern, repl in REVISE_KEYS:
            key = re.sub(pattern, repl, key)
        revised[key] = value
    diff = compare_state_dicts(model.state_dict(), revised)
    if not any(diff.values()):
        return diff
    name = filename or 'the checkpoint'
    message = (f'checkpoint {name} does not match the model '
               f'({type(model).__name__}): {describe_mismatch(diff, limit)}. '
               f'It is probably a checkpoint of another model or config.')
    if strict:
        raise CheckpointMismatchError(
            f'{message} Refusing to evaluate partly initialised weights; '
            f'only if this is intended, {hint or DEFAULT_HINT}.')
    print_log(
        f'{message} Loading it anyway (weights missing from it keep their '
        f'initial values).',
        logger='current',
        level=logging.WARNING)
    return diff

"""Checkpoint loading that never unpickles arbitrary code.

onedl-mmengine's loaders try ``torch.load(weights_only=True)`` and, when that
fails, fall back to ``weights_only=False`` with only a warning, so a crafted
checkpoint runs code on load.  Importing :mod:`mmdefect` re-registers
mmengine's local-file and HTTP(S) checkpoint schemes with the loader below,
which covers ``tools/test.py``, ``load_from``, ``resume`` and the inferencer.
"""
import os
import os.path as osp
import pickle
from typing import Callable, List, Optional

import mmengine.runner.checkpoint as mmengine_checkpoint
import torch
from mmengine.runner.checkpoint import (CheckpointLoader,
                                        get_torch_safe_globals)

UNSAFE_ENV = 'MMDEFECT_ALLOW_UNSAFE_CHECKPOINTS'


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds objects outside the allow-list."""


def checkpoint_allowlist() -> List[Callable]:
    """Types a legitimate mmengine/mmdefect checkpoint may contain.

    mmengine's own list (NumPy array reconstruction, dtypes, scalars and the
    message hub's ``HistoryBuffer``) plus the NumPy dtype classes that
    ``meta`` and scheduler states store.
    """
    import numpy as np
    allow = list(get_torch_safe_globals())
    for dtype in (np.float16, np.float32, np.float64, np.int8, np.int16,
                  np.int32, np.int64, np.uint8, np.uint16, np.uint32,
                  np.uint64, np.bool_):
        dtype_cls = type(np.dtype(dtype))
        if dtype_cls not in allow:
            allow.append(dtype_cls)
    return allow


def unsafe_loading_allowed() -> bool:
    """Whether the user opted in to full unpickling (off by default)."""
    return os.environ.get(UNSAFE_ENV, '') == '1'


def safe_torch_load(file, map_location=None):
    """``torch.load`` with ``weights_only=True`` and mmdefect's allow-list.

    Raises:
        UnsafeCheckpointError: the file holds a type that is not allowed; the
            message names the file and how to opt in for trusted files.
    """
    if unsafe_loading_allowed():
        return torch.load(file, map_location=map_location, weights_only=False)
    try:
        with torch.serialization.safe_globals(checkpoint_allowlist()):
            return torch.load(
                file, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        name = file if isinstance(file, (str, os.PathLike)) else '<stream>'
        raise UnsafeCheckpointError(
            f'Refusing to load checkpoint {name}: it contains objects that '
            f'are not on mmdefect\'s allow-list, so loading it could run '
            f'code. Details: {str(err).splitlines()[0]}. Only if you trust '
            f'the file, pass --allow-unsafe-checkpoint to the tools or set '
            f'{UNSAFE_ENV}=1.') from None


def load_from_local(filename: str, map_location: Optional[str] = None):
    """Scheme ``''``: a local checkpoint file, loaded safely."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} can not be found.')
    return safe_torch_load(filename, map_location=map_location)


def load_from_http(url: str, map_location: Optional[str] = None,
                   model_dir: Optional[str] = None):
    """Schemes ``http://``/``https://``: download once, then load safely."""
    hub_dir = model_dir or osp.join(torch.hub.get_dir(), 'checkpoints')
    os.makedirs(hub_dir, exist_ok=True)
    cached = osp.join(hub_dir, osp.basename(url.split('?')[0]))
    if not osp.isfile(cached):
        torch.hub.download_url_to_file(url, cached, progress=False)
    return safe_torch_load(cached, map_location=map_location)


def _mmengine_load(file, map_location=None, weights_only=None):
    """Drop-in for mmengine's private ``_safe_torch_load``; the other schemes
    (``open-mmlab://``, ``pavi://``, ...) call it by name."""
    return safe_torch_load(file, map_location=map_location)


def register_safe_checkpoint_loaders() -> None:
    """Replace mmengine's checkpoint loading with :func:`safe_torch_load`.

    The local and HTTP(S) schemes are re-registered through mmengine's public
    ``CheckpointLoader.register_scheme``; the remaining schemes reach
    ``torch.load`` through mmengine's module-level ``_safe_torch_load``, which
    is replaced as well (there is no public hook for it).
    """
    mmengine_checkpoint._safe_torch_load = _mmengine_load
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local, force=True)
    CheckpointLoader.register_scheme(
        prefixes=('http://', 'https://'), loader=load_from_http, force=True)

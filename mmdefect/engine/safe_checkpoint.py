"""Checkpoint loading that never unpickles arbitrary code.

onedl-mmengine's loaders try ``torch.load(weights_only=True)`` and, when that
fails, fall back to ``weights_only=False`` with only a warning, so a crafted
checkpoint runs code on load.  Importing :mod:`mmdefect` re-registers
mmengine's local-file and HTTP(S) checkpoint schemes with the loader below,
which covers ``tools/test.py``, ``load_from``, ``resume`` and the inferencer.
"""
import importlib
import os
import os.path as osp
import pickle
import re
import struct
import zipfile
from typing import Callable, List, Optional

import mmengine.runner.checkpoint as mmengine_checkpoint
import torch
from mmengine.runner.checkpoint import (CheckpointLoader,
                                        get_torch_safe_globals)

UNSAFE_ENV = 'MMDEFECT_ALLOW_UNSAFE_CHECKPOINTS'


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds objects outside the allow-list."""


class CheckpointFormatError(ValueError):
    """A file is not a readable checkpoint: not one, empty or truncated."""


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


_CLI_FLAG = {'flag': None}


def offer_unsafe_flag(flag: Optional[str]) -> None:
    """Name the command-line opt-in of the running tool in refusals.

    mmdefect's tools call it with ``'--allow-unsafe-checkpoint'``; other
    programs (MMSeg's own ``tools/train.py``/``test.py``) have no such flag,
    so by default a refusal names only the environment variable
    :data:`UNSAFE_ENV`.  ``None`` restores that default.
    """
    _CLI_FLAG['flag'] = flag


def _opt_in_hint() -> str:
    if _CLI_FLAG['flag']:
        return f'pass {_CLI_FLAG["flag"]} or set {UNSAFE_ENV}=1'
    return f'set the environment variable {UNSAFE_ENV}=1'


ZIP_MAGIC = b'PK\x03\x04'
PICKLE_PROTO = b'\x80'
_DAMAGE_MARKERS = ('PytorchStreamReader', 'unexpected EOF', 'corrupted')
_GLOBAL_RE = re.compile(r'Unsupported global: GLOBAL (\S+) was not')


def _resolves(full_path: str) -> bool:
    """Whether ``module.attr`` names an importable object (a global that
    does not is a torn name in a truncated pickle)."""
    module, _, attr = full_path.rpartition('.')
    if not module:
        return False
    try:
        obj = importlib.import_module(module)
    except Exception:
        return False
    return hasattr(obj, attr)


def check_checkpoint_file(filename: str) -> None:
    """Refuse files that cannot be checkpoints, before unpickling anything.

    Raises:
        CheckpointFormatError: the file is empty, is neither a PyTorch zip
            archive nor a pickle (e.g. text), or is a zip archive whose end
            is missing (truncated).
    """
    size = osp.getsize(filename)
    if size == 0:
        raise CheckpointFormatError(
            f'checkpoint {filename} is an empty file (0 bytes); it was '
            f'never written completely')
    with open(filename, 'rb') as f:
        head = f.read(16)
    if head.startswith(ZIP_MAGIC):
        if not zipfile.is_zipfile(filename):
            raise CheckpointFormatError(
                f'checkpoint {filename} is truncated or corrupt: it starts '
                f'as a PyTorch zip archive but ends after {size:,} bytes '
                f'without the archive\'s directory; copy or save it again')
        return
    if not head.startswith(PICKLE_PROTO):
        raise CheckpointFormatError(
            f'{filename} is not a checkpoint: a PyTorch checkpoint is a zip '
            f'archive or a pickle, this file starts with {head!r}')


def _describe_load_error(name: str, err: BaseException) -> Exception:
    """The user-facing error for a failed ``weights_only`` load."""
    text = str(err)
    match = _GLOBAL_RE.search(text)
    if isinstance(err, pickle.UnpicklingError) and match:
        global_name = match.group(1)
        if not _resolves(global_name):
            return CheckpointFormatError(
                f'checkpoint {name} is truncated or corrupt: its pickle '
                f'ends inside the name {global_name!r}')
        return UnsafeCheckpointError(
            f'Refusing to load checkpoint {name}: it would run code when '
            f'unpickled (global {global_name}, not on mmdefect\'s '
            f'allow-list of tensor, NumPy and mmengine types). Only if you '
            f'trust the file, {_opt_in_hint()}.')
    if isinstance(err, pickle.UnpicklingError):
        detail = text.split('WeightsUnpickler error:')[-1].strip()
        detail = detail.split('\n\n')[0].strip() or type(err).__name__
        return UnsafeCheckpointError(
            f'Refusing to load checkpoint {name}: the safe loader cannot '
            f'read it ({detail}); it is not a plain tensor checkpoint. Only '
            f'if you trust the file, {_opt_in_hint()}.')
    detail = type(err).__name__
    if text.strip():
        detail += f': {text.strip().splitlines()[0]}'
    return CheckpointFormatError(
        f'checkpoint {name} is truncated or corrupt ({detail}); copy or '
        f'save it again')


def safe_torch_load(file, map_location=None):
    """``torch.load`` with ``weights_only=True`` and mmdefect's allow-list.

    Raises:
        CheckpointFormatError: not a checkpoint, an empty file, or a
            truncated/corrupt one (the message says which).
        UnsafeCheckpointError: loading would run code; the message names
            the offending global and the opt-in for trusted files.
    """
    is_path = isinstance(file, (str, os.PathLike))
    name = os.fspath(file) if is_path else '<stream>'
    if is_path:
        check_checkpoint_file(name)
    if unsafe_loading_allowed():
        return torch.load(file, map_location=map_location, weights_only=False)
    try:
        with torch.serialization.safe_globals(checkpoint_allowlist()):
            return torch.load(
                file, map_location=map_location, weights_only=True)
    except (pickle.UnpicklingError, EOFError, KeyError, IndexError,
            struct.error, zipfile.BadZipFile) as err:
        raise _describe_load_error(name, err) from None
    except (RuntimeError, OSError) as err:
        # torch reports damaged files as RuntimeError ("PytorchStreamReader
        # failed ...", "unexpected EOF ...") or OSError; other errors of
        # these types (e.g. a CUDA checkpoint on a CPU machine) pass through
        if not is_path or not (isinstance(err, OSError) or any(
                key in str(err) for key in _DAMAGE_MARKERS)):
            raise
        raise _describe_load_error(name, err) from None


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

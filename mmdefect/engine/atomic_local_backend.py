"""Crash-safe writes for mmengine's local file backend."""
import contextlib
import os
import os.path as osp
import tempfile
from pathlib import Path
from typing import Iterator, Union

import mmengine
from mmengine.fileio import LocalBackend, register_backend


def default_file_mode() -> int:
    """The mode ``open(path, 'w')`` gives a new file: ``0o666 & ~umask``.

    ``tempfile.mkstemp`` creates files with mode 0600 whatever the umask;
    a file that replaces its target through :func:`atomic_write_bytes` gets
    this mode instead, so a shared work dir stays readable by the group the
    umask allows.  The umask is read from ``/proc/self/status`` where
    available (no process-wide change); elsewhere it is set and restored.
    """
    umask = None
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('Umask:'):
                    umask = int(line.split()[1], 8)
                    break
    except OSError:
        pass
    if umask is None:
        umask = os.umask(0o022)
        os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_output(filepath: Union[str, Path],
                  overwrite: bool = True,
                  suffix: str = '.tmp') -> Iterator[str]:
    """A temporary path to write ``filepath`` through, so it appears whole
    or not at all.

    The caller writes the temporary file (in the target folder, created if
    missing); when the block ends without an error it gets the mode of a
    normally created file (:func:`default_file_mode`, not ``mkstemp``'s
    0600) and replaces the target with ``os.replace`` (atomic on POSIX and
    Windows).  On any error the temporary file is removed and the target is
    untouched.

    Args:
        filepath: The target.
        overwrite: Replace an existing target (default); ``False`` raises
            ``FileExistsError`` if the target appeared while it was written.
        suffix: Of the temporary name (``np.savez`` wants ``'.npz'``).
    """
    filepath = str(filepath)
    folder = osp.dirname(osp.abspath(filepath))
    mmengine.mkdir_or_exist(folder)
    fd, tmp = tempfile.mkstemp(
        dir=folder, prefix=f'.{osp.basename(filepath)}.', suffix=suffix)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, default_file_mode())
        if not overwrite and osp.exists(filepath):
            raise FileExistsError(f'{filepath} appeared while it was '
                                  'written; not overwriting it')
        os.replace(tmp, filepath)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def atomic_write_bytes(data: bytes, filepath: Union[str, Path]) -> None:
    """Write ``data`` to ``filepath`` so it appears whole or not at all.

    Through :func:`atomic_output`; the data are flushed and ``fsync``-ed
    before the temporary file replaces the target.
    """
    with atomic_output(filepath) as tmp:
        with open(tmp, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())


class AtomicLocalBackend(LocalBackend):
    """``LocalBackend`` whose ``put``/``put_text`` never leave a torn file.

    Both go through :func:`atomic_write_bytes`: a process killed while
    mmengine saves a checkpoint (or mmcv writes an image) leaves either the
    previous file or the complete new one, never a half-written
    ``iter_N.pth`` that ``--resume`` could pick up.  New files get the
    umask's mode, as with a plain ``open``.
    """

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        """Write ``obj`` to ``filepath`` atomically."""
        atomic_write_bytes(obj, filepath)

    def put_text(self,
                 obj: str,
                 filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        """Write text to ``filepath`` atomically."""
        atomic_write_bytes(obj.encode(encoding), filepath)


def register_atomic_local_backend() -> bool:
    """Make ``AtomicLocalBackend`` mmengine's backend for local paths.

    Called when mmdefect is imported. Setting the environment variable
    ``MMDEFECT_ATOMIC_LOCAL_BACKEND=0`` before the import keeps mmengine's
    own ``LocalBackend``.

    Returns:
        bool: Whether the backend was registered.
    """
    if os.environ.get('MMDEFECT_ATOMIC_LOCAL_BACKEND', '1').strip() == '0':
        return False
    register_backend('local', AtomicLocalBackend, force=True, prefixes='')
    return True

import os
import subprocess
import sys

import pytest
from mmengine.fileio import get_file_backend

from mmdefect.engine import AtomicLocalBackend
from mmdefect.utils import find_resume_checkpoint


def test_local_paths_use_the_atomic_backend(tmp_path):
    backend = get_file_backend(str(tmp_path / 'x.pth'))
    assert isinstance(backend, AtomicLocalBackend)
    backend.put(b'abc', tmp_path / 'sub' / 'x.pth')
    assert (tmp_path / 'sub' / 'x.pth').read_bytes() == b'abc'
    backend.put_text('hello', tmp_path / 'y.txt')
    assert (tmp_path / 'y.txt').read_text() == 'hello'


def test_interrupted_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / 'iter_4.pth'
    target.write_bytes(b'complete checkpoint')

    def crash(_):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, 'fsync', crash)
    with pytest.raises(KeyboardInterrupt):
        AtomicLocalBackend().put(b'half', target)
    assert target.read_bytes() == b'complete checkpoint'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['iter_4.pth']


def test_resume_checkpoint_skips_torn_pointer_and_empty_files(tmp_path):
    assert find_resume_checkpoint(str(tmp_path)) is None
    (tmp_path / 'iter_2.pth').write_bytes(b'x')
    (tmp_path / 'iter_10.pth').write_bytes(b'x')
    (tmp_path / 'iter_12.pth').write_bytes(b'')
    (tmp_path / 'last_checkpoint').write_text('')
    assert find_resume_checkpoint(str(tmp_path)).endswith('iter_10.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_2.pth'))
    assert find_resume_checkpoint(str(tmp_path)).endswith('iter_2.pth')


@pytest.mark.parametrize('umask', [0o022, 0o002, 0o077])
def test_written_files_get_the_umask_mode(tmp_path, umask):
    # mkstemp creates 0600 files: before the fix a shared work dir's
    # checkpoints were unreadable for the group whatever the umask
    old = os.umask(umask)
    try:
        AtomicLocalBackend().put(b'ckpt', tmp_path / 'iter_2.pth')
        AtomicLocalBackend().put_text('x', tmp_path / 'last_checkpoint')
        plain = tmp_path / 'plain'
        plain.write_bytes(b'')
    finally:
        os.umask(old)
    expected = 0o666 & ~umask
    assert plain.stat().st_mode & 0o777 == expected
    for name in ('iter_2.pth', 'last_checkpoint'):
        assert (tmp_path / name).stat().st_mode & 0o777 == expected


def test_environment_variable_keeps_mmengine_local_backend(tmp_path):
    code = ('import mmdefect; from mmengine.fileio import get_file_backend; '
            f'print(type(get_file_backend({str(tmp_path / "x.pth")!r}))'
            '.__name__)')
    env = dict(os.environ, MMDEFECT_ATOMIC_LOCAL_BACKEND='0')
    out = subprocess.run([sys.executable, '-c', code],
                         env=env,
                         capture_output=True,
                         text=True,
                         check=True).stdout.split()
    assert out[-1] == 'LocalBackend'
    env['MMDEFECT_ATOMIC_LOCAL_BACKEND'] = '1'
    out = subprocess.run([sys.executable, '-c', code],
                         env=env,
                         capture_output=True,
                         text=True,
                         check=True).stdout.split()
    assert out[-1] == 'AtomicLocalBackend'


def test_atomic_output_mode_failure_and_no_overwrite(tmp_path):
    from mmdefect.engine import atomic_output
    target = tmp_path / 'sub' / 'out.npz'
    old = os.umask(0o022)
    try:
        with atomic_output(target, suffix='.npz') as tmp:
            assert tmp.endswith('.npz') and os.path.dirname(tmp) == str(
                target.parent)
            open(tmp, 'wb').write(b'one')
    finally:
        os.umask(old)
    assert target.read_bytes() == b'one'
    assert target.stat().st_mode & 0o777 == 0o644
    with pytest.raises(RuntimeError, match='boom'):
        with atomic_output(target) as tmp:
            open(tmp, 'wb').write(b'torn')
            raise RuntimeError('boom')
    with pytest.raises(FileExistsError, match='appeared while it was'):
        with atomic_output(target, overwrite=False) as tmp:
            open(tmp, 'wb').write(b'two')
    assert target.read_bytes() == b'one'
    assert sorted(p.name for p in target.parent.iterdir()) == ['out.npz']

import os

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

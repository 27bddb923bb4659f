import builtins
import os

import pytest
import torch
from mmengine.runner import CheckpointLoader, load_checkpoint

from mmdefect.engine.safe_checkpoint import (UNSAFE_ENV, UnsafeCheckpointError,
                                             safe_torch_load)


class Payload:
    """Unpickling this object would create ``marker``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return builtins.open, (self.marker, 'w')


def write_malicious(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': Payload(marker)}, path)
    assert not marker.exists()
    return str(path), marker


def test_malicious_checkpoint_is_refused_and_code_does_not_run(
        tmp_path, monkeypatch):
    monkeypatch.delenv(UNSAFE_ENV, raising=False)
    path, marker = write_malicious(tmp_path)
    model = torch.nn.Linear(2, 2)
    for load in (lambda: safe_torch_load(path),
                 lambda: CheckpointLoader.load_checkpoint(path, 'cpu'),
                 lambda: load_checkpoint(model, path, map_location='cpu')):
        with pytest.raises(UnsafeCheckpointError) as err:
            load()
        assert 'evil.pth' in str(err.value)
        assert '--allow-unsafe-checkpoint' in str(err.value)
        assert not marker.exists()


def test_opt_in_loads_full_pickle(tmp_path, monkeypatch):
    path, marker = write_malicious(tmp_path)
    monkeypatch.setenv(UNSAFE_ENV, '1')
    CheckpointLoader.load_checkpoint(path)
    assert marker.exists()


def test_legitimate_checkpoint_contents_load(tmp_path, monkeypatch):
    import numpy as np
    from mmengine.logging import HistoryBuffer
    monkeypatch.delenv(UNSAFE_ENV, raising=False)
    buf = HistoryBuffer()
    buf.update(0.5)
    ckpt = dict(
        state_dict={'w': torch.ones(2)},
        meta=dict(seed=np.int64(3), dataset_meta=dict(classes=('a', 'b')),
                  hist=buf, arr=np.arange(3, dtype=np.float32)),
        optimizer={'state': {}, 'param_groups': [{'lr': 0.1}]})
    path = tmp_path / 'ok.pth'
    torch.save(ckpt, path)
    loaded = CheckpointLoader.load_checkpoint(str(path))
    assert torch.equal(loaded['state_dict']['w'], torch.ones(2))
    assert loaded['meta']['hist'].current() == 0.5
    assert loaded['meta']['arr'].tolist() == [0.0, 1.0, 2.0]
    assert os.path.exists(path)

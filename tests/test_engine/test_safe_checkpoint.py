import os
import os.path as osp

import pytest
import torch
from mmengine.runner import CheckpointLoader, load_checkpoint

from mmdefect.engine.safe_checkpoint import (UNSAFE_ENV, CheckpointFormatError,
                                             UnsafeCheckpointError,
                                             offer_unsafe_flag,
                                             safe_torch_load)
from mmdefect.testing import write_malicious


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
        assert 'global io.open' in str(err.value)
        assert 'will likely succeed' not in str(err.value)
        assert not osp.exists(marker)


def test_opt_in_loads_full_pickle(tmp_path, monkeypatch):
    path, marker = write_malicious(tmp_path)
    monkeypatch.setenv(UNSAFE_ENV, '1')
    CheckpointLoader.load_checkpoint(path)
    assert osp.exists(marker)


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


@pytest.mark.parametrize('legacy', [False, True])
def test_damaged_files_say_what_is_wrong(tmp_path, monkeypatch, legacy):
    """Before: a text file was refused as "could run code" (or a bare
    KeyError), a zero-byte file gave a bare EOFError."""
    monkeypatch.delenv(UNSAFE_ENV, raising=False)
    text = tmp_path / 'notes.pth'
    text.write_text('epoch 3: loss 0.1\n')
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    good = tmp_path / 'good.pth'
    torch.save({'state_dict': {'w': torch.ones(256)}}, good,
               _use_new_zipfile_serialization=not legacy)
    data = good.read_bytes()
    torn = tmp_path / 'torn.pth'
    torn.write_bytes(data[:len(data) // 2])
    cases = [(text, 'notes.pth is not a checkpoint'),
             (empty, 'empty.pth is an empty file'),
             (torn, 'torn.pth is truncated or corrupt')]
    for path, expected in cases:
        with pytest.raises(CheckpointFormatError) as err:
            CheckpointLoader.load_checkpoint(str(path), 'cpu')
        assert expected in str(err.value)
        assert 'run code' not in str(err.value)
    loaded = CheckpointLoader.load_checkpoint(str(good), 'cpu')
    assert loaded['state_dict']['w'].shape == (256, )


def test_refusal_names_the_opt_in_the_running_tool_has(tmp_path,
                                                       monkeypatch):
    """Before: MMSeg's own tools were told to pass a flag they lack."""
    monkeypatch.delenv(UNSAFE_ENV, raising=False)
    path, _ = write_malicious(tmp_path)
    with pytest.raises(UnsafeCheckpointError) as err:
        safe_torch_load(path)
    assert '--allow-unsafe-checkpoint' not in str(err.value)
    assert f'{UNSAFE_ENV}=1' in str(err.value)
    offer_unsafe_flag('--allow-unsafe-checkpoint')
    try:
        with pytest.raises(UnsafeCheckpointError) as err:
            safe_torch_load(path)
    finally:
        offer_unsafe_flag(None)
    assert f'pass --allow-unsafe-checkpoint or set {UNSAFE_ENV}=1' in str(
        err.value)

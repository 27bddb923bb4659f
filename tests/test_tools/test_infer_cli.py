"""tools/infer.py: summary lines, output folder and exit codes."""
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest

from mmdefect.testing import TOY_CONFIG as CONFIG
from mmdefect.testing import (ONE_THREAD_ENV, REPO_ROOT, single_thread,
                              toy_checkpoint)
from tools import infer


@pytest.fixture(scope='module', autouse=True)
def _one_thread():
    with single_thread():
        yield


@pytest.fixture(scope='module')
def checkpoint(toy_root, tmp_path_factory):
    return toy_checkpoint(toy_root, tmp_path_factory)


def test_cli_on_folders_with_a_missing_reference(checkpoint, toy_root,
                                                 tmp_path):
    ref_dir = tmp_path / 'ref'
    shutil.copytree(osp.join(toy_root, 'ref_dir', 'test'), ref_dir)
    os.remove(ref_dir / '0003.png')
    img_dir = osp.join(toy_root, 'img_dir', 'test')
    out_dir = tmp_path / 'out'
    proc = subprocess.run(
        [sys.executable, 'tools/infer.py', CONFIG, checkpoint, '--img',
         img_dir, '--ref', str(ref_dir), '--out-dir', str(out_dir),
         '--batch-size', '2', '--threshold', '0.25'],
        cwd=REPO_ROOT, env=ONE_THREAD_ENV, capture_output=True, text=True,
        timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    lines = proc.stdout.splitlines()
    pair_lines = [line for line in lines if img_dir in line]
    assert len(pair_lines) == 4
    assert pair_lines[3].startswith('ERROR')
    assert 'no reference for' in pair_lines[3]
    for line in pair_lines[:3]:
        assert line.split()[0] in ('DEFECT', 'ok') and 'score=' in line
    assert ('4 pairs: 3 processed' in proc.stdout
            and '1 failed (threshold 0.25 from argument)' in proc.stdout)
    assert sorted(os.listdir(out_dir / 'vis')) == [
        '0000.png', '0001.png', '0002.png']
    assert sorted(os.listdir(out_dir / 'pred')) == [
        '0000.png', '0001.png', '0002.png']


def test_exit_code_only_when_every_pair_fails(checkpoint, toy_root, tmp_path,
                                              capsys):
    img = osp.join(toy_root, 'img_dir', 'test', '0001.png')
    ref = osp.join(toy_root, 'ref_dir', 'test', '0001.png')
    missing = str(tmp_path / 'missing.png')
    assert infer.main([CONFIG, checkpoint, '--img', img, '--ref', missing,
                       '--no-progress']) == 1
    out = capsys.readouterr().out
    assert 'ERROR' in out and missing in out and '1 failed' in out
    assert infer.main([CONFIG, checkpoint, '--img', img, '--ref', ref,
                       '--no-progress']) == 0
    out = capsys.readouterr().out
    assert '1 pairs: 1 processed' in out
    assert 'threshold 0.5 from default' in out

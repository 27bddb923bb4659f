"""tools/infer.py end to end on tiny data: per-pair lines, summary, output
folder, exit codes, refusal to overwrite, unique names, huge pairs."""
import os
import os.path as osp
import resource
import runpy
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch

from mmdefect.testing import ONE_THREAD_ENV, REPO_ROOT, TOY_CONFIG, run_tool

pytestmark = pytest.mark.usefixtures('one_thread')


@pytest.fixture(scope='module')
def checkpoint(toy_ckpt):
    return toy_ckpt


def infer(checkpoint, *args, expect_ok=True):
    return run_tool(['tools/infer.py', TOY_CONFIG, checkpoint,
                     '--no-progress'] + [str(a) for a in args],
                    expect_ok=expect_ok)


def test_cli_on_folders_with_a_missing_reference(checkpoint, toy_root,
                                                 tmp_path):
    ref_dir = tmp_path / 'ref'
    shutil.copytree(osp.join(toy_root, 'ref_dir', 'test'), ref_dir)
    os.remove(ref_dir / '0003.png')
    img_dir = osp.join(toy_root, 'img_dir', 'test')
    out_dir = tmp_path / 'out'
    output = infer(checkpoint, '--img', img_dir, '--ref', ref_dir,
                   '--out-dir', out_dir, '--batch-size', 2, '--threshold',
                   0.25, expect_ok=False)  # one pair failed: exit 1
    pair_lines = [line for line in output.splitlines() if img_dir in line]
    assert len(pair_lines) == 4
    assert pair_lines[3].startswith('ERROR')
    assert 'no reference for' in pair_lines[3]
    for line in pair_lines[:3]:
        assert line.split()[0] in ('DEFECT', 'ok') and 'score=' in line
    assert ('4 pairs: 3 processed' in output
            and '1 failed (threshold 0.25 from argument); 6 output files '
            'written' in output)
    for kind in ('vis', 'pred'):
        assert sorted(os.listdir(out_dir / kind)) == [
            '0000.png', '0001.png', '0002.png'
        ]


def test_exit_codes(checkpoint, toy_root, tmp_path):
    img = osp.join(toy_root, 'img_dir', 'test', '0001.png')
    ref = osp.join(toy_root, 'ref_dir', 'test', '0001.png')
    missing = str(tmp_path / 'missing.png')
    output = infer(checkpoint, '--img', img, '--ref', missing,
                   expect_ok=False)
    assert 'ERROR' in output and missing in output and '1 failed' in output
    output = infer(checkpoint, '--img', img, '--ref', ref)
    assert '1 pairs: 1 processed' in output
    assert 'threshold 0.5 from default' in output


def test_checkpoint_of_another_model(checkpoint, toy_root, tmp_path):
    """Issue 14 item 1: inference ran on partly random weights, exit 0."""
    ckpt = torch.load(checkpoint, map_location='cpu', weights_only=False)
    key = sorted(ckpt['state_dict'])[-1]
    del ckpt['state_dict'][key]
    other = str(tmp_path / 'other.pth')
    torch.save(ckpt, other)
    pair = ('--img', osp.join(toy_root, 'img_dir', 'test', '0001.png'),
            '--ref', osp.join(toy_root, 'ref_dir', 'test', '0001.png'))
    output = infer(other, *pair, expect_ok=False)
    assert 'does not match the model' in output and key in output
    assert '--allow-mismatched-checkpoint' in output
    assert 'pairs:' not in output
    output = infer(other, *pair, '--allow-mismatched-checkpoint')
    assert '1 pairs: 1 processed' in output


def test_same_stems_and_existing_outputs(checkpoint, toy_root, tmp_path):
    """Issue 14 item 4: ``a.png`` and ``a.jpg`` both went to ``pred/a.png``
    and ``vis/a.png``; existing files were replaced without a word."""
    img_dir, ref_dir, out_dir = (tmp_path / n for n in ('img', 'ref', 'out'))
    img_dir.mkdir()
    ref_dir.mkdir()
    for ext in ('png', 'jpg'):
        shutil.copy(osp.join(toy_root, 'img_dir', 'test', '0001.png'),
                    img_dir / f'a.{ext}')
        shutil.copy(osp.join(toy_root, 'ref_dir', 'test', '0001.png'),
                    ref_dir / f'a.{ext}')
    (out_dir / 'pred').mkdir(parents=True)
    (out_dir / 'pred' / 'a.png').write_bytes(b'a file of the user')
    output = infer(checkpoint, '--img', img_dir, '--ref', ref_dir,
                   '--out-dir', out_dir, expect_ok=False)
    assert 'output file(s) exist' in output and '--overwrite' in output
    assert (out_dir / 'pred' / 'a.png').read_bytes() == b'a file of the user'
    assert not (out_dir / 'vis').exists()
    output = infer(checkpoint, '--img', img_dir, '--ref', ref_dir,
                   '--out-dir', out_dir, '--overwrite')
    assert '2 pairs: 2 processed' in output
    assert '4 output files written' in output
    for kind in ('vis', 'pred'):
        assert sorted(os.listdir(out_dir / kind)) == ['a.png',
                                                      'a_000001.png']
        assert cv2.imread(str(out_dir / kind / 'a.png')) is not None


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))


def test_a_pair_too_large_for_memory(checkpoint, tmp_path):
    """Issue 14 item 10: a huge pair in whole mode failed to allocate and
    the tool still said "panels and masks written" for a folder it never
    created. Here 2000x2000 needs ~8 GB in whole mode; the address space is
    capped at 6 GB so it fails on any machine."""
    big = np.zeros((2000, 2000, 3), np.uint8)
    big[::7] = 90
    img, ref = str(tmp_path / 'big.png'), str(tmp_path / 'big_ref.png')
    assert cv2.imwrite(img, big) and cv2.imwrite(ref, big)
    out_dir = tmp_path / 'out'
    proc = subprocess.run(
        [sys.executable, 'tools/infer.py', TOY_CONFIG, checkpoint,
         '--no-progress', '--img', img, '--ref', ref, '--out-dir',
         str(out_dir)],
        cwd=REPO_ROOT, env=ONE_THREAD_ENV, capture_output=True, text=True,
        timeout=600, preexec_fn=_limit_memory)
    assert proc.returncode == 1, (proc.stdout + proc.stderr)[-3000:]
    assert proc.stdout.startswith('ERROR') or '\nERROR' in proc.stdout
    assert "can't allocate memory" in proc.stdout
    assert 'model.test_cfg.mode=slide' in proc.stdout
    assert '0 output files written' in proc.stdout
    assert 'written to' not in proc.stdout
    assert not out_dir.exists() or not any(out_dir.rglob('*.png'))


def test_arguments():
    tool = runpy.run_path(osp.join(REPO_ROOT, 'tools', 'infer.py'))
    args = tool['parse_args'](['c.py', 'w.pth', '--img', 'a', '--ref', 'b'])
    assert (args.config, args.checkpoint, args.img, args.ref) == ('c.py',
                                                                  'w.pth',
                                                                  'a', 'b')
    assert (args.batch_size, args.threshold, args.overwrite,
            args.threshold_level, args.device) == (1, None, False, 'pixel',
                                                   'cpu')
    with pytest.raises(SystemExit):
        tool['parse_args'](['c.py', 'w.pth', '--img', 'a', '--ref', 'b',
                            '--batch-size', '0'])

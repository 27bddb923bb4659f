"""End to end: tools/train.py -> tools/test.py -> --resume, as a user runs
them (subprocesses from the repository root)."""
import glob
import json
import os
import os.path as osp

import pytest

from mmdefect.testing import TOY_CONFIG as CONFIG
from mmdefect.testing import data_options
from mmdefect.testing import run_tool as run
from mmdefect.testing import write_malicious


@pytest.fixture(scope='module')
def trained(toy_root, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('train') / 'run')
    out = run(['tools/train.py', CONFIG, '--work-dir', work_dir,
               '--cfg-options', 'train_cfg.max_iters=4',
               'train_cfg.val_interval=4',
               'default_hooks.checkpoint.interval=2',
               'default_hooks.logger.interval=1'] + data_options(toy_root))
    return work_dir, out


def test_train_writes_checkpoints_logs_and_validates(trained):
    work_dir, out = trained
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    assert osp.isfile(osp.join(work_dir, 'iter_4.pth'))
    assert 'mIoU' in out and 'mFscore' in out
    scalars = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    assert scalars
    with open(scalars[0]) as f:
        records = [json.loads(line) for line in f]
    assert any('loss' in r for r in records)
    assert any('mIoU' in r for r in records)


def test_test_cli_metrics_out_and_show_dir(trained, toy_root, tmp_path):
    work_dir, _ = trained
    out_dir, show_dir = tmp_path / 'preds', tmp_path / 'show'
    out = run(['tools/test.py', CONFIG, osp.join(work_dir, 'iter_4.pth'),
               '--work-dir', str(tmp_path / 'test'), '--out', str(out_dir),
               '--show-dir', str(show_dir), '--cfg-options'] +
              data_options(toy_root))
    assert 'mIoU' in out and 'aAcc' in out
    assert len(os.listdir(out_dir)) == 4
    shown = glob.glob(str(show_dir / '**' / '*.png'), recursive=True)
    assert len(shown) == 4


def test_resume_continues_from_the_last_checkpoint(trained, toy_root):
    work_dir, _ = trained
    out = run(['tools/train.py', CONFIG, '--work-dir', work_dir, '--resume',
               '--cfg-options', 'train_cfg.max_iters=6',
               'train_cfg.val_interval=100',
               'default_hooks.checkpoint.interval=2'] + data_options(toy_root))
    assert 'resumed epoch: 0, iter: 4' in out
    assert osp.isfile(osp.join(work_dir, 'iter_6.pth'))


def test_work_dir_pointing_at_a_file_is_refused(toy_root, tmp_path):
    target = tmp_path / 'notes.txt'
    target.write_text('my notes')
    out = run(['tools/train.py', CONFIG, '--work-dir', str(target),
               '--cfg-options'] + data_options(toy_root), expect_ok=False)
    assert 'is an existing file' in out
    assert target.read_text() == 'my notes'


def test_paired_data_into_single_image_model_is_refused(toy_root, tmp_path):
    out = run(['tools/train.py', CONFIG, '--work-dir', str(tmp_path / 'w'),
               '--cfg-options', 'model.type=EncoderDecoder'] +
              data_options(toy_root), expect_ok=False)
    assert 'PackPairedSegInputs' in out and 'EncoderDecoder' in out


def test_test_cli_refuses_a_malicious_checkpoint(toy_root, tmp_path):
    path, marker = write_malicious(tmp_path)
    out = run(['tools/test.py', CONFIG, path, '--work-dir',
               str(tmp_path / 'w'), '--cfg-options'] + data_options(toy_root),
              expect_ok=False)
    assert 'Refusing to load checkpoint' in out and 'evil.pth' in out
    assert not osp.exists(marker)

"""tools/train.py on work dirs and data that used to lose checkpoints or
mislead (issue 14 items 2, 5, 7), end to end."""
import os.path as osp
import shutil

import cv2
import pytest

from mmdefect.testing import TOY_CONFIG, run_tool, toy_checkpoint

# the options of mmdefect.testing.toy_checkpoint (resume needs the same run)
TINY = ['train_cfg.max_iters=2', 'val_cfg=None', 'val_dataloader=None',
        'val_evaluator=None', 'default_hooks.checkpoint.interval=2',
        'default_hooks.visualization.draw=False']


def train(work_dir, toy_root, *flags, options=(), expect_ok=True):
    return run_tool(['tools/train.py', TOY_CONFIG, '--work-dir',
                     str(work_dir)] + list(flags) + ['--cfg-options'] + TINY +
                    list(options) +
                    [f'train_dataloader.dataset.data_root={toy_root}'],
                    expect_ok=expect_ok)


@pytest.fixture(scope='module')
def checkpoint(toy_root, tmp_path_factory):
    return toy_checkpoint(toy_root, tmp_path_factory)


def earlier_run(tmp_path, checkpoint, name='iter_2.pth', pointer=None):
    work_dir = tmp_path / 'run'
    work_dir.mkdir()
    shutil.copy(checkpoint, work_dir / name)
    (work_dir / 'last_checkpoint').write_text(
        pointer or str(work_dir / name))
    return work_dir


def test_new_run_into_a_work_dir_with_checkpoints_is_refused(
        checkpoint, toy_root, tmp_path):
    """Before: iter_N.pth overwritten, last_checkpoint repointed, later
    checkpoints of the old run left beside the new ones."""
    work_dir = earlier_run(tmp_path, checkpoint, name='iter_4.pth')
    old = (work_dir / 'iter_4.pth').read_bytes()
    out = train(work_dir, toy_root, expect_ok=False)
    assert (f'work dir {work_dir} holds checkpoints of an earlier run '
            f'(iter_4.pth, last_checkpoint)') in out
    assert '--resume' in out and '--overwrite' in out
    assert (work_dir / 'iter_4.pth').read_bytes() == old
    out = train(work_dir, toy_root, '--overwrite')
    assert 'deleted 2 checkpoint file(s) of an earlier run' in out
    assert not (work_dir / 'iter_4.pth').exists()
    assert (work_dir / 'last_checkpoint').read_text().strip() == str(
        work_dir / 'iter_2.pth')


def test_resume_in_an_empty_work_dir_says_it_trains_from_scratch(
        toy_root, tmp_path):
    """Before: "Auto resumed from the latest checkpoint None."."""
    out = train(tmp_path / 'empty', toy_root, '--resume',
                options=['train_cfg.max_iters=1',
                         'default_hooks.checkpoint.interval=1'])
    assert (f'--resume: no checkpoint to resume in {tmp_path / "empty"} '
            f'(the folder does not exist yet); training from scratch') in out
    assert 'latest checkpoint None' not in out
    assert osp.isfile(tmp_path / 'empty' / 'iter_1.pth')


def test_resume_says_which_checkpoint_replaces_a_dangling_pointer(
        checkpoint, toy_root, tmp_path):
    """Before: an older checkpoint was used without a word."""
    missing = str(tmp_path / 'run' / 'iter_4.pth')
    work_dir = earlier_run(tmp_path, checkpoint, pointer=missing)
    out = train(work_dir, toy_root, '--resume',
                options=['train_cfg.max_iters=3',
                         'default_hooks.checkpoint.interval=1'])
    assert (f'{work_dir / "last_checkpoint"} names {missing}, which does '
            f'not exist; resuming from {work_dir / "iter_2.pth"} instead'
            ) in out
    assert 'resumed epoch: 0, iter: 2' in out
    assert osp.isfile(work_dir / 'iter_3.pth')


def test_label_of_another_size_is_named_during_training(toy_root, tmp_path):
    """Before: the label was silently resized with the image."""
    root = str(tmp_path / 'toy')
    shutil.copytree(toy_root, root)
    for name in ('0000.png', '0001.png', '0002.png', '0003.png', '0004.png',
                 '0005.png', '0006.png', '0007.png'):
        path = osp.join(root, 'ann_dir', 'train', name)
        label = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
        cv2.imwrite(path, label[:32, :48])
    out = train(tmp_path / 'w', root, expect_ok=False)
    assert 'is 48x32 (WxH) but its image' in out
    assert osp.join(root, 'ann_dir', 'train') in out
    assert 'label_size_policy="resize" in PairedTransform' in out

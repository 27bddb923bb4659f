"""A tiny trained checkpoint shared by the inference and analysis tests.

``tools/train.py`` runs once per test session (2 iterations of the toy
example config, no validation); every module asks for it through its own
module-scoped fixture and gets the same files.

The models are tiny, so these tests run PyTorch on one thread
(:func:`single_thread`, ``OMP_NUM_THREADS=1`` for subprocesses): on a busy
2-core machine two threads made the forward passes up to 8x slower.
"""
import contextlib
import os
import os.path as osp
import subprocess
import sys

import torch

from tests.conftest import REPO_ROOT

CONFIG = osp.join(REPO_ROOT,
                  'configs/examples/siamese-diff_mit-tiny_toy-pairs-64x64.py')
_CACHE = {}


def data_options(root):
    """``--cfg-options`` entries pointing every dataloader at ``root``."""
    return [
        f'{loader}.dataset.data_root={root}'
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    ]


ONE_THREAD_ENV = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')


@contextlib.contextmanager
def single_thread():
    """Run PyTorch on one intra-op thread inside the block."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def toy_checkpoint(toy_root, tmp_path_factory):
    """``iter_2.pth`` trained on ``toy_root`` (trained on first use)."""
    if toy_root not in _CACHE:
        work_dir = str(tmp_path_factory.mktemp('toy_ckpt') / 'run')
        proc = subprocess.run(
            [sys.executable, 'tools/train.py', CONFIG, '--work-dir', work_dir,
             '--cfg-options', 'train_cfg.max_iters=2', 'val_cfg=None',
             'val_dataloader=None', 'val_evaluator=None',
             'default_hooks.checkpoint.interval=2',
             'default_hooks.visualization.draw=False',
             f'train_dataloader.dataset.data_root={toy_root}'],
            cwd=REPO_ROOT, env=ONE_THREAD_ENV, capture_output=True,
            text=True, timeout=600)
        output = proc.stdout + proc.stderr
        checkpoint = osp.join(work_dir, 'iter_2.pth')
        assert proc.returncode == 0 and osp.isfile(checkpoint), output[-4000:]
        _CACHE[toy_root] = checkpoint
    return _CACHE[toy_root]

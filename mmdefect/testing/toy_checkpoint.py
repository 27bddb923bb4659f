"""A tiny trained checkpoint shared by the inference and analysis tests.

``tools/train.py`` runs once per test session (2 iterations of the toy
example config, no validation); every module asks for it through its own
module-scoped fixture and gets the same files.

The models are tiny, so these tests run PyTorch on one thread
(:func:`~mmdefect.testing.single_thread`, ``OMP_NUM_THREADS=1`` for
subprocesses).
"""
import os.path as osp

from .paths import REPO_ROOT
from .tool_runner import ONE_THREAD_ENV, run_tool

TOY_CONFIG = osp.join(
    REPO_ROOT,
    'configs/examples/siamese-diff_mit-tiny_1xb4-200i_toy-pairs-64x64.py')
_CACHE = {}


def toy_checkpoint(toy_root, tmp_path_factory):
    """``iter_2.pth`` trained on ``toy_root`` (trained on first use)."""
    if toy_root not in _CACHE:
        work_dir = str(tmp_path_factory.mktemp('toy_ckpt') / 'run')
        run_tool([
            'tools/train.py', TOY_CONFIG, '--work-dir', work_dir,
            '--cfg-options', 'train_cfg.max_iters=2', 'val_cfg=None',
            'val_dataloader=None', 'val_evaluator=None',
            'default_hooks.checkpoint.interval=2',
            'default_hooks.visualization.draw=False',
            f'train_dataloader.dataset.data_root={toy_root}'
        ],
                 env=ONE_THREAD_ENV,
                 timeout=600)
        checkpoint = osp.join(work_dir, 'iter_2.pth')
        assert osp.isfile(checkpoint), f'{checkpoint} was not written'
        _CACHE[toy_root] = checkpoint
    return _CACHE[toy_root]

"""tools/dist_train.sh with 2 CPU processes (gloo) matches one process with
the same global batch."""
import os
import os.path as osp
import subprocess
import sys

import torch

from mmdefect.engine.safe_checkpoint import safe_torch_load
from mmdefect.testing import REPO_ROOT
from mmdefect.testing import TOY_CONFIG as CONFIG
from mmdefect.testing import free_port
from mmdefect.testing import run_tool as run

# No random augmentation (each process would draw its own), GroupNorm instead
# of BN (per-process batch statistics differ by design) and no dropout, so
# the only difference left is the order of floating-point reductions.
DETERMINISTIC_CFG = '''
_base_ = [{base!r}]
pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackPairedSegInputs'),
]
train_dataloader = dict(batch_size={batch}, dataset=dict(
    data_root={root!r}, pipeline=pipeline))
val_dataloader = dict(dataset=dict(data_root={root!r}))
test_dataloader = dict(dataset=dict(data_root={root!r}))
model = dict(decode_head=dict(
    dropout_ratio=0.0, norm_cfg=dict(type='GN', num_groups=4)))
train_cfg = dict(max_iters=4, val_interval=4)
default_hooks = dict(checkpoint=dict(interval=4))
randomness = dict(seed=0, deterministic=True)
'''


def write_cfg(tmp_path, toy_root, batch):
    path = tmp_path / f'ddp_b{batch}.py'
    path.write_text(DETERMINISTIC_CFG.format(
        base=osp.join(REPO_ROOT, CONFIG), batch=batch, root=toy_root))
    return str(path)


def test_two_gloo_processes_match_one_process(toy_root, tmp_path):
    single = str(tmp_path / 'single')
    out_single = run(['tools/train.py', write_cfg(tmp_path, toy_root, 4),
                      '--work-dir', single])
    dist_dir = str(tmp_path / 'dist')
    env = dict(os.environ, PORT=str(free_port()), PYTHON=sys.executable,
               OMP_NUM_THREADS='1')
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', write_cfg(tmp_path, toy_root, 2), '2',
         '--work-dir', dist_dir], cwd=REPO_ROOT, env=env,
        capture_output=True, text=True, timeout=900)
    out_dist = proc.stdout + proc.stderr
    assert proc.returncode == 0, out_dist[-4000:]
    assert 'distributed backend gloo, 2 CPU processes' in out_dist
    assert 'mIoU' in out_dist
    a = safe_torch_load(osp.join(single, 'iter_4.pth'))['state_dict']
    b = safe_torch_load(osp.join(dist_dir, 'iter_4.pth'))['state_dict']
    assert a.keys() == b.keys()
    # Tolerance: the two runs sum the same gradients in a different order
    # (allreduce vs one batch); AdamW's normalised step turns float32
    # rounding in near-zero gradients into up to ~lr/30 per step. Measured
    # worst difference after 4 steps at lr 1e-3: 3.1e-5; a real mismatch
    # (other data or unsynchronised gradients) moves weights by ~lr per step.
    worst = max((a[k].float() - b[k].float()).abs().max().item() for k in a)
    assert worst < 2e-4, worst
    assert 'mIoU' in out_single

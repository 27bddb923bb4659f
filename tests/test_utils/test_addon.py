"""Another MMSeg project uses mmdefect only through ``custom_imports``."""
import os.path as osp
import subprocess
import sys
import textwrap

CONFIG = '''
default_scope = 'mmseg'
custom_imports = dict(imports=['mmdefect'], allow_failed_imports=False)
work_dir = {work_dir!r}
model = dict(
    type='SiameseEncoderDecoder', fusion='diff',
    data_preprocessor=dict(type='PairedSegDataPreProcessor',
                           mean=[0, 0, 0], std=[255, 255, 255]),
    backbone=dict(type='ResNetV1c', depth=18, base_channels=8,
                  stem_channels=8, out_indices=(3, )),
    decode_head=dict(type='FCNHead', in_channels=64, in_index=0,
                     channels=8, num_convs=1, num_classes=2,
                     loss_decode=dict(type='CrossEntropyLoss')),
    train_cfg=dict(), test_cfg=dict(mode='whole'))
train_dataloader = dict(
    batch_size=2, num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasePairedDataset', data_root={root!r}, img_suffix='.png',
        metainfo=dict(classes=('ok', 'ng'), palette=[[0, 0, 0], [9, 9, 9]]),
        data_prefix=dict(img_path='img_dir/train', ref_path='ref_dir/train',
                         seg_map_path='ann_dir/train'),
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='LoadRefImageFromFile'),
                  dict(type='LoadAnnotations'),
                  dict(type='PairedTransform',
                       transforms=[dict(type='RandomFlip', prob=0.5)]),
                  dict(type='PackPairedSegInputs')]))
optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='SGD', lr=0.01))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=2)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=2,
                                     by_epoch=False))
'''

SCRIPT = '''
import sys
from mmengine.config import Config
from mmengine.runner import Runner
cfg = Config.fromfile(sys.argv[1])
Runner.from_cfg(cfg).train()
'''


def test_training_through_custom_imports_only(toy_root, tmp_path):
    work_dir = str(tmp_path / 'work')
    config = tmp_path / 'other_project_cfg.py'
    config.write_text(CONFIG.format(work_dir=work_dir, root=toy_root))
    proc = subprocess.run(
        [sys.executable, '-c', textwrap.dedent(SCRIPT), str(config)],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))

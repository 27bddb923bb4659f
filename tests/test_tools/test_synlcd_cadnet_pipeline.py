"""Generate a tiny SynLCD, train CADNet on it through tools/train.py (its
loss goes down), then evaluate it with tools/test.py: the quickstart's main
job at toy scale."""
import json
import os.path as osp
from glob import glob

from mmdefect.testing import run_tool as run

CONFIG = 'configs/cadnet/cadnet_mit-b0_1xb8-600i_synlcd-mini-128x128.py'


def test_generate_train_test(tmp_path):
    data = str(tmp_path / 'synlcd')
    run(['tools/dataset_converters/synlcd.py', data, '--num-train', '16',
         '--num-test', '6', '--size', '64', '--seed', '1', '--workers', '1'])
    roots = [f'{loader}.dataset.data_root={data}'
             for loader in ('train_dataloader', 'val_dataloader',
                            'test_dataloader')]
    opts = ['train_cfg.max_iters=20', 'train_cfg.val_interval=20',
            'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False',
            'val_dataloader.num_workers=0',
            'val_dataloader.persistent_workers=False',
            'test_dataloader.num_workers=0',
            'test_dataloader.persistent_workers=False',
            'default_hooks.logger.interval=1',
            'default_hooks.checkpoint.interval=20'] + roots
    work = str(tmp_path / 'work')
    run(['tools/train.py', CONFIG, '--work-dir', work, '--cfg-options'] +
        opts)
    [scalars] = glob(osp.join(work, '*', 'vis_data', 'scalars.json'))
    with open(scalars) as f:
        records = [json.loads(line) for line in f]
    losses = [r['loss'] for r in records if 'loss' in r]
    bcl = [r['decode.loss_bcl'] for r in records if 'decode.loss_bcl' in r]
    assert len(losses) == 20 and len(bcl) == 20
    assert sum(losses[-5:]) < sum(losses[:5])
    assert sum(bcl[-5:]) < sum(bcl[:5])
    out = run(['tools/test.py', CONFIG, osp.join(work, 'iter_20.pth'),
               '--work-dir', work, '--show-dir', str(tmp_path / 'show'),
               '--cfg-options'] + opts)
    for key in ('mIoU_defect', 'IoU.line', 'IoU.abpt', 'mFscore'):
        assert key in out
    assert len(glob(str(tmp_path / 'show' / '**' / '*.png'),
                    recursive=True)) == 6
    # test-time flip of both images (tta_pipeline of the SynLCD base config)
    out = run(['tools/test.py', CONFIG, osp.join(work, 'iter_20.pth'),
               '--work-dir', work, '--tta', '--cfg-options'] + opts)
    assert 'mIoU_defect' in out and 'image_AUROC' in out
    # another model's checkpoint is still refused under --tta (the check
    # looks through SegTTAModel as mmengine's loader does)
    out = run(['tools/test.py', CONFIG, osp.join(work, 'iter_20.pth'),
               '--work-dir', work, '--tta', '--cfg-options'] + opts +
              ['model.decode_head.channels=32'], expect_ok=False)
    assert 'does not match the model (SiameseEncoderDecoder)' in out
    assert 'in the checkpoint, ' in out and 'Iter(test)' not in out

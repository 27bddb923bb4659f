# cat_swin-nano_1xb8-400i_mtd-128x128.py with the teacher trained
# in-project (droplet-seg_r18-nano_1xb8-120i_mtd-128x128.py, a
# self-supervised droplet-segmentation pretext task on the defect-free
# training images) instead of a frozen random one. Set teacher_checkpoint
# (or --cfg-options model.ref_backbone.init_cfg.checkpoint=...).
_base_ = ['./cat_swin-nano_1xb8-400i_mtd-128x128.py']
teacher_checkpoint = ('work_dirs/mtd/droplet-seg_r18-nano_1xb8-120i_'
                      'mtd-128x128/iter_120.pth')
model = dict(
    ref_backbone=dict(
        init_cfg=dict(
            _delete_=True,
            type='Pretrained',
            checkpoint=teacher_checkpoint,
            prefix='backbone.')))

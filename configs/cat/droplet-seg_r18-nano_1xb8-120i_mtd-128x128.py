# A teacher for the CPU CAT configs, trained in-project instead of on
# ImageNet (none can be downloaded here): the ResNet-18-layout teacher of
# cat_swin-nano_r18-nano.py (32 base channels, layer1-3), trained for 120
# iterations to segment DropletAug's droplets on MTD's defect-free training
# images (a self-supervised pretext task: the labels are the droplet masks,
# no defect label is read), then frozen as CAT's teacher by
# cat_swin-nano-droplet-teacher_1xb8-400i_mtd-128x128.py. Its backbone.*
# weights have exactly the teacher's layout.
_base_ = [
    '../_base_/datasets/mtd_128x128.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_cat_cpu.py'
]
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='SiameseEncoderDecoder',
    fusion='img_only',
    data_preprocessor=dict(
        type='PairedSegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size=(128, 128)),
    backbone=dict(
        type='ResNet',
        depth=18,
        num_stages=3,
        strides=(1, 2, 2),
        dilations=(1, 1, 1),
        out_indices=(0, 1, 2),
        style='pytorch',
        stem_channels=32,
        base_channels=32,
        norm_cfg=norm_cfg,
        zero_init_residual=False,
        init_cfg=None),
    decode_head=dict(
        type='FCNHead',
        in_channels=[32, 64, 128],
        in_index=[0, 1, 2],
        input_transform='resize_concat',
        channels=64,
        num_convs=1,
        concat_input=False,
        num_classes=2,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', loss_weight=1.0,
            class_weight=[1.0, 5.0])),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
max_iters = 120
# no validation or test: the droplet masks exist only in training
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
default_hooks = dict(checkpoint=dict(interval=max_iters))
train_dataloader = dict(batch_size=8)

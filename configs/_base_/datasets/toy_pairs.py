# Tiny generated paired data (tools/misc/make_toy_pairs.py): 64x64 images,
# classes background / defect.
dataset_type = 'BasePairedDataset'
data_root = 'data/toy_pairs'
metainfo = dict(classes=('background', 'defect'), palette=[[0, 0, 0],
                                                          [255, 0, 0]])
crop_size = (64, 64)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='PairedTransform',
        transforms=[
            dict(
                type='RandomResize',
                scale=(64, 64),
                ratio_range=(0.75, 1.5),
                keep_ratio=True),
            dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.9),
            dict(type='RandomFlip', prob=0.5),
            dict(type='Pad', size=crop_size),
        ]),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackPairedSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackPairedSegInputs'),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        data_prefix=dict(
            img_path='img_dir/train',
            ref_path='ref_dir/train',
            seg_map_path='ann_dir/train'),
        img_suffix='.png',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        metainfo=metainfo,
        data_prefix=dict(
            img_path='img_dir/test',
            ref_path='ref_dir/test',
            seg_map_path='ann_dir/test'),
        img_suffix='.png',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='DefectIoUMetric', iou_metrics=['mIoU', 'mFscore'])
test_evaluator = val_evaluator

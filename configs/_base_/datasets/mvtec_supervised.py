# MVTec AD re-split 70/30 (tools/dataset_converters/mvtec.py), one reference
# per category, 16 classes (background + the 15 categories).
dataset_type = 'MVTecSupervisedDataset'
data_root = 'data/mvtec_sup'
crop_size = (512, 512)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile', size_policy='resize'),
    dict(type='LoadAnnotations'),
    dict(
        type='PairedTransform',
        transforms=[
            dict(type='Resize', scale=crop_size, keep_ratio=False),
            dict(type='RandomFlip', prob=0.5),
        ]),
    dict(type='PackPairedSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile', size_policy='resize'),
    dict(
        type='PairedTransform',
        transforms=[dict(type='Resize', scale=crop_size, keep_ratio=False)]),
    dict(type='LoadAnnotations'),
    dict(type='PackPairedSegInputs'),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(
            img_path='img_dir/train', seg_map_path='ann_dir/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='img_dir/test', seg_map_path='ann_dir/test'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='DefectIoUMetric', iou_metrics=['mIoU', 'mFscore'])
test_evaluator = val_evaluator

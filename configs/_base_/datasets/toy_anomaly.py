# Tiny generated anomaly data (mmdefect.testing.toy_anomaly): defect-free
# 64x64 training textures, a labelled test split; both read as
# self-reference pairs (the reference is the image itself), the training
# images get droplets (DropletAug writes the droplet label).
dataset_type = 'BasePairedDataset'
data_root = 'data/toy_anomaly'
metainfo = dict(classes=('normal', 'defect'), palette=[[0, 0, 0],
                                                      [255, 0, 0]])
crop_size = (64, 64)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(
        type='PairedTransform',
        transforms=[
            dict(type='Resize', scale=crop_size, keep_ratio=False),
            dict(type='RandomFlip', prob=0.5),
        ]),
    dict(type='DropletAug', prob=1.0, radius_range=(4, None)),
    dict(type='PackPairedSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(
        type='PairedTransform',
        transforms=[dict(type='Resize', scale=crop_size, keep_ratio=False)]),
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
        ref_mode='self',
        data_prefix=dict(img_path='img_dir/train'),
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
        ref_mode='self',
        data_prefix=dict(
            img_path='img_dir/test', seg_map_path='ann_dir/test'),
        img_suffix='.png',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='AnomalyMetric', score_key='anomaly_map')
test_evaluator = val_evaluator

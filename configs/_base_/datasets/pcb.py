# PKU-Market-PCB as preprocessed by the CADNet authors (1000x1000 crops with
# template crops; 1,566 train / 676 test). Trained at 512x512 crops.
dataset_type = 'PCBDataset'
data_root = 'data/pcb'
crop_size = (512, 512)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='PairedTransform',
        transforms=[
            dict(
                type='RandomResize',
                scale=(1000, 1000),
                ratio_range=(0.5, 1.0),
                keep_ratio=True),
            dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
            dict(type='RandomFlip', prob=0.5),
        ]),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackPairedSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(
        type='PairedTransform',
        transforms=[dict(type='Resize', scale=(512, 512), keep_ratio=True)]),
    dict(type='LoadAnnotations'),
    dict(type='PackPairedSegInputs'),
]
data_prefix = dict(
    img_path='split_images', ref_path='split_PCB_USED', seg_map_path='ann_dir')
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='train.txt',
        data_prefix=data_prefix,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='test.txt',
        data_prefix=data_prefix,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='DefectIoUMetric', iou_metrics=['mIoU', 'mFscore'])
test_evaluator = val_evaluator

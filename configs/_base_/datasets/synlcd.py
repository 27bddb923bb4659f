# SynLCD (CADNet paper, Table 1), as written by
# tools/dataset_converters/synlcd.py: 512x512 pairs, classes
# background / line / abpt.
dataset_type = 'SynLCDDataset'
data_root = 'data/synlcd'
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
                scale=(512, 512),
                ratio_range=(0.5, 2.0),
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
    dict(type='LoadAnnotations'),
    dict(type='PackPairedSegInputs'),
]
# Test-time flip on both images: PairedTransform flips the reference with
# the inspected image; the segmentor flips the logits back and
# DefectTTAModel (default_runtime.py) averages the probabilities.
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(
        type='TestTimeAug',
        transforms=[[
            dict(
                type='PairedTransform',
                transforms=[
                    dict(type='RandomFlip', prob=0., direction='horizontal')
                ]),
            dict(
                type='PairedTransform',
                transforms=[
                    dict(type='RandomFlip', prob=1., direction='horizontal')
                ])
        ], [dict(type='LoadAnnotations')], [dict(type='PackPairedSegInputs')]])
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
            img_path='img_dir/train',
            ref_path='ref_dir/train',
            seg_map_path='ann_dir/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(
            img_path='img_dir/test',
            ref_path='ref_dir/test',
            seg_map_path='ann_dir/test'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='DefectIoUMetric', iou_metrics=['mIoU', 'mFscore'])
test_evaluator = val_evaluator

# The CADNet paper's single-image baseline: SegFormer-B0 on the inspected
# image only, same data, schedule and optimizer as
# configs/cadnet/cadnet_mit-b0_1xb8-30ep_synlcd-512x512.py.
_base_ = [
    '../_base_/models/segformer_mit-b0.py', '../_base_/datasets/synlcd.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_30ep.py'
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(512, 512),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=(512, 512), cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
optim_wrapper = dict(constructor='DefaultOptimWrapperConstructor')
randomness = dict(seed=0)

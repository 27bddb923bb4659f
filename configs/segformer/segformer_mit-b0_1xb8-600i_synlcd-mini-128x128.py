# SegFormer-B0 baseline for the quickstart, inspected image only; same data,
# budget and schedule as
# configs/cadnet/cadnet_mit-b0_1xb8-600i_synlcd-mini-128x128.py.
_base_ = [
    '../_base_/models/segformer_mit-b0.py',
    '../_base_/datasets/synlcd_mini.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_600i-cpu.py'
]
model = {{_base_.cpu_model}}
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(128, 128),
        ratio_range=(0.75, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=(128, 128), cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
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

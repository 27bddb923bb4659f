# SegFormer-B0 baseline on DeepPCB: the inspected image only, with the data,
# budget and schedule of
# configs/cadnet/cadnet_mit-b0_1xb8-10k_deeppcb-512x512.py.
_base_ = [
    '../_base_/models/segformer_mit-b0.py', '../_base_/datasets/deeppcb.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_10k.py'
]
model = dict(
    data_preprocessor=dict(size=(512, 512)),
    decode_head=dict(num_classes=7))
# gt_boxes for DeepPCBDetectionMetric (the data set's metainfo keys)
meta_keys = {{_base_.meta_keys}}
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomCrop', crop_size=(512, 512)),
    dict(
        type='RandomFlip',
        prob=[0.25, 0.25],
        direction=['horizontal', 'vertical']),
    dict(type='PackSegInputs', meta_keys=meta_keys),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs', meta_keys=meta_keys),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
optim_wrapper = dict(constructor='DefaultOptimWrapperConstructor')
randomness = dict(seed=0)

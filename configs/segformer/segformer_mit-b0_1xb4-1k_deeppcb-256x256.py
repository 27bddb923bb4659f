# CPU-sized SegFormer-B0 baseline on DeepPCB (inspected image only): the
# data, budget and schedule of
# configs/cadnet/cadnet_mit-b0_1xb4-1k_deeppcb-256x256.py.
_base_ = [
    '../_base_/models/segformer_mit-b0.py',
    '../_base_/datasets/deeppcb_cpu.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_1k-cpu.py'
]
model = {{_base_.cpu_model}}
# gt_boxes for DeepPCBDetectionMetric (the data set's metainfo keys)
meta_keys = {{_base_.meta_keys}}
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomCrop', crop_size={{_base_.crop_size}}),
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
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
optim_wrapper = dict(constructor='DefaultOptimWrapperConstructor')
randomness = dict(seed=0)

# anomaly_pipelines.py at 128x128 for CPU runs: the same transforms (its
# pipelines are rebuilt here because a config's lists are fixed when its
# file is parsed), one loader worker.
_base_ = ['./anomaly_pipelines.py']
image_size = (128, 128)
pad_mode = 'reflect'
anomaly_load = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(type='LoadBinaryAnnotations', threshold=127),
]
anomaly_resize_pad = [
    dict(type='Resize', scale=image_size, keep_ratio=True),
    dict(type='PadIgnoreLabels', size=image_size, padding_mode=pad_mode),
]
train_pipeline = anomaly_load + [
    dict(
        type='PairedTransform',
        transforms=anomaly_resize_pad + [dict(type='RandomFlip', prob=0.5)]),
    dict(type='DropletAug', prob=1.0),
    dict(type='PackPairedSegInputs'),
]
test_pipeline = anomaly_load + [
    dict(type='PairedTransform', transforms=anomaly_resize_pad),
    dict(type='PackPairedSegInputs'),
]
train_dataloader = dict(num_workers=1, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(num_workers=1, dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

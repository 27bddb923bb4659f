# DeepPCB sized for a 2-core CPU: 256x256 training crops of the 640x640
# pairs, batch 4; the test set is evaluated at full resolution.
_base_ = ['./deeppcb.py']
crop_size = (256, 256)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='PairedTransform',
        transforms=[
            dict(type='RandomCrop', crop_size=crop_size),
            dict(
                type='RandomFlip',
                prob=[0.25, 0.25],
                direction=['horizontal', 'vertical']),
        ]),
    dict(type='PackPairedSegInputs', meta_keys={{_base_.meta_keys}}),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=1,
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(num_workers=1)
test_dataloader = val_dataloader

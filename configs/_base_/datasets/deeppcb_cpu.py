# DeepPCB sized for a 2-core CPU: 256x256 training crops of the 640x640
# pairs, batch 4; the test set is evaluated at full resolution. No
# validation data (the test split is the only held-out data; the CPU
# schedules run no validation loop): evaluate with tools/test.py or
# tools/benchmarks/deeppcb.py.
_base_ = ['./deeppcb.py', '../models/mit-b0_cpu.py']
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
    batch_size=4, num_workers=1, dataset=dict(pipeline=train_pipeline))
test_dataloader = dict(num_workers=1)
val_dataloader = val_evaluator = None
# the model's part of the CPU recipe (see ../models/mit-b0_cpu.py)
cpu_model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(
        num_classes=7,
        # defects are 0.27 % of the trainval pixels (the converter's
        # label_stats.json): without a large weight the defect classes are
        # swamped in a 1,000-iteration run from scratch
        loss_decode=dict(class_weight=[1.0] + [50.0] * 6)))

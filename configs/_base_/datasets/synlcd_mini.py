# A small SynLCD for CPU runs (the quickstart writes it with
# tools/dataset_converters/synlcd.py --size 128): 128x128 pairs.
_base_ = ['./synlcd.py', '../models/mit-b0_cpu.py']
data_root = 'data/synlcd_mini'
crop_size = (128, 128)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='PairedTransform',
        transforms=[
            dict(
                type='RandomResize',
                scale=(128, 128),
                ratio_range=(0.75, 1.5),
                keep_ratio=True),
            dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
            dict(type='RandomFlip', prob=0.5),
        ]),
    dict(type='PackPairedSegInputs'),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=1, persistent_workers=True, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
# Test: mmseg's IoU-based metrics plus the anomaly view of the same model
# (defect score = 1 - p(background); image score = max over the map).
test_evaluator = [
    dict(type='DefectIoUMetric', iou_metrics=['mIoU', 'mFscore']),
    dict(type='AnomalyMetric', score_key='seg_logits')
]
# the model's part of the CPU recipe (see ../models/mit-b0_cpu.py)
cpu_model = dict(
    data_preprocessor=dict(size=crop_size),
    # defects are ~2.5 % of the pixels: without class weights a model
    # trained from scratch for 600 iterations predicts background only
    # (measured: mIoU_defect 0.0 on the training split)
    decode_head=dict(loss_decode=dict(class_weight=[1.0, 10.0, 10.0])))

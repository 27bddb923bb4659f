# SynLCD with one defect type per set for the cross tests (CADNet paper,
# Fig. 6) and the label-fraction protocol (Table 6), CPU-sized: 256x256
# pairs (at 128x128 the abnormal points are 1-2 px across, below the 1/4
# resolution of the decoders), trained on 128x128 crops, tested on whole
# images. Both sets come from tools/dataset_converters/synlcd.py
# --defect-mix line|abpt --size 256 (tools/benchmarks/cross_defect.py
# writes them). Labels are class-agnostic (background / defect): a model
# that never saw a defect type can only find it as a change, not name it.
_base_ = ['./synlcd.py', '../models/mit-b0_cpu.py']
line_root = 'data/synlcd256_line'
abpt_root = 'data/synlcd256_abpt'
data_root = line_root
crop_size = (128, 128)
_resize_crop_flip = [
    dict(
        type='RandomResize',
        scale=(256, 256),
        ratio_range=(0.75, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PairedTransform', transforms=_resize_crop_flip),
    dict(type='PackPairedSegInputs'),
]
# the single-image baseline (SegFormer) reads the same pairs without the
# reference
single_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'), *_resize_crop_flip,
    dict(type='PackSegInputs'),
]
single_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
# class_agnostic merges line and abpt into 'defect'; the classes are named
# here too so that a reader of the config sees them
metainfo = dict(classes=('background', 'defect'))
train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(
        data_root=data_root,
        class_agnostic=True,
        metainfo=metainfo,
        pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=1,
    persistent_workers=True,
    dataset=dict(
        data_root=data_root, class_agnostic=True, metainfo=metainfo))
test_dataloader = val_dataloader
test_evaluator = [
    dict(type='DefectIoUMetric', iou_metrics=['mIoU', 'mFscore']),
    dict(type='AnomalyMetric', score_key='seg_logits')
]
# the model's part of the CPU recipe (see ../models/mit-b0_cpu.py): two
# classes; defects are a few % (line) or a few per mille (abpt) of the
# pixels, hence the class weight (as SynLCD-mini's)
cpu_model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(
        num_classes=2, loss_decode=dict(class_weight=[1.0, 10.0])))

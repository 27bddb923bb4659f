# DeepPCB (Tang et al. 2019): 1,000 trainval + 500 test aligned pairs of a
# tested PCB image and its defect-free template, 640x640, six defect types.
# data_root: the authors' PCBData folder (https://github.com/tangsanli5201/
# DeepPCB); labels: written once by
#   python tools/dataset_converters/deeppcb.py data/DeepPCB data/deeppcb_labels
# Evaluation: pixel IoU and DeepPCB's own box protocol (IoU > 0.33, same
# class: mAP and F-score), boxes from connected components of the masks.
dataset_type = 'DeepPCBDataset'
data_root = 'data/DeepPCB/PCBData'
# relative to data_root (mmengine joins them): data/deeppcb_labels/ann_dir;
# give an absolute path when data_root is elsewhere
label_root = '../../deeppcb_labels/ann_dir'
crop_size = (512, 512)
# the packers' metainfo keys: mmseg's, the reference path and gt_boxes, the
# ground-truth boxes DeepPCBDetectionMetric scores against
meta_keys = ('img_path', 'ref_path', 'seg_map_path', 'ori_shape',
             'img_shape', 'pad_shape', 'scale_factor', 'flip',
             'flip_direction', 'reduce_zero_label', 'gt_boxes')
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
    dict(type='PackPairedSegInputs', meta_keys=meta_keys),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackPairedSegInputs', meta_keys=meta_keys),
]
# tools/test.py --tta: the pair as is, flipped left-right and flipped
# upside down (PairedTransform flips both images alike); the segmentor flips
# the logits back and DefectTTAModel averages the probabilities, so the
# boxes and their confidences come from the merged prediction.
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(
        type='TestTimeAug',
        transforms=[[
            dict(
                type='PairedTransform',
                transforms=[dict(type='RandomFlip', prob=0.)]),
            dict(
                type='PairedTransform',
                transforms=[
                    dict(type='RandomFlip', prob=1., direction='horizontal')
                ]),
            dict(
                type='PairedTransform',
                transforms=[
                    dict(type='RandomFlip', prob=1., direction='vertical')
                ])
        ], [dict(type='LoadAnnotations')],
                    [dict(type='PackPairedSegInputs', meta_keys=meta_keys)]])
]
data_prefix = dict(img_path='', seg_map_path=label_root)
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='trainval.txt',
        data_prefix=data_prefix,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='test.txt',
        data_prefix=data_prefix,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='DefectIoUMetric', iou_metrics=['mIoU', 'mFscore']),
    dict(type='DeepPCBDetectionMetric', box_margin=10)
]
test_evaluator = val_evaluator

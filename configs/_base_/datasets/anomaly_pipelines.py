# Shared pipelines and loaders of the unsupervised (CAT-style) data sets
# (mtd.py, ksdd2.py, ksdd1.py, rsdd.py, synsurface.py): self-reference pairs
# (the reference is the image itself), binary masks (defect = value > 127),
# images resized to fit image_size and padded to that square like the CAT
# paper, flipped with p = 0.5 in training.
# Padding: 'reflect' (default), the remedy the paper names for its
# zero-padding weakness (Sec. 5). The paper's zero padding, for the
# comparison, is one command-line override of the PadIgnoreLabels step:
#   --cfg-options train_dataloader.dataset.pipeline.3.transforms.1.padding_mode=constant val_dataloader.dataset.pipeline.3.transforms.1.padding_mode=constant test_dataloader.dataset.pipeline.3.transforms.1.padding_mode=constant  # noqa: E501
# Labels of the padded area are 255 (ignored) in every mode
# (PadIgnoreLabels; mmcv's Pad would reflect the labels too). DropletAug
# (training only) paints CAT's droplets and writes their mask into the
# label. Evaluators are set by the model configs.
image_size = (256, 256)
# one list of transforms at two sizes: train_pipeline / test_pipeline at
# 256x256, the *_128 pair for the CPU configs (anomaly_pipelines_128x128.py)
(train_pipeline, test_pipeline), (train_pipeline_128, test_pipeline_128) = [[
    [
        dict(type='LoadImageFromFile'),
        dict(type='LoadRefImageFromFile'),
        dict(type='LoadBinaryAnnotations', threshold=127),
        dict(
            type='PairedTransform',
            transforms=[
                dict(type='Resize', scale=size, keep_ratio=True),
                dict(
                    type='PadIgnoreLabels',
                    size=size,
                    padding_mode='reflect'),
            ] + ([dict(type='RandomFlip', prob=0.5)] if train else [])),
    ] + ([dict(type='DropletAug', prob=1.0)] if train else []) +
    [dict(type='PackPairedSegInputs')] for train in (True, False)
] for size in ((256, 256), (128, 128))]
# training without droplets, for the CAT ablations ("w/o droplet
# augmentation") and the MMR-style baseline; a config selects one with
#   train_dataloader = dict(dataset=dict(
#       pipeline={{_base_.no_droplet_train_pipeline_256}}))
# Without droplets every training label is 0 (LoadBinaryAnnotations of a
# defect-free image; 255 in the padding), so the contrastive loss keeps its
# positive term only (cosine reconstruction of the teacher).
no_droplet_train_pipeline_256, no_droplet_train_pipeline_128 = [[
    step for step in pipeline if step['type'] != 'DropletAug'
] for pipeline in (train_pipeline, train_pipeline_128)]
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

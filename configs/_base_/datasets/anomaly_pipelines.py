# Shared pipelines and loaders of the unsupervised (CAT-style) data sets
# (mtd.py, ksdd2.py, ksdd1.py, rsdd.py, synsurface.py): self-reference pairs
# (the reference is the image itself), binary masks (defect = value > 127),
# images resized to fit image_size and padded to that square like the CAT
# paper, flipped with p = 0.5 in training.
# Padding: 'reflect' (default), the remedy the paper names for its
# zero-padding weakness (Sec. 5). The paper's zero padding, for the
# comparison, is one command-line override (pipelines are built when this
# file is parsed, so `pad_mode=constant` alone would change nothing):
#   --cfg-options train_dataloader.dataset.pipeline.3.transforms.1.padding_mode=constant val_dataloader.dataset.pipeline.3.transforms.1.padding_mode=constant test_dataloader.dataset.pipeline.3.transforms.1.padding_mode=constant  # noqa: E501
# Labels of the padded area are 255 (ignored) in every mode
# (PadIgnoreLabels; mmcv's Pad would reflect the labels too). DropletAug
# (training only) paints CAT's droplets and writes their mask into the
# label. Evaluators are set by the model configs.
image_size = (256, 256)
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

# Training pipelines without droplets for the CAT ablations ("w/o droplet
# augmentation", the MMR-style baseline): anomaly_pipelines.py's training
# transforms minus DropletAug, at 256x256 and 128x128. Keys are unique so the
# file can sit beside a dataset base; a config selects one with
#   train_dataloader = dict(dataset=dict(
#       pipeline={{_base_.no_droplet_train_pipeline_256}}))
# Without droplets every training label is 0 (LoadBinaryAnnotations of a
# defect-free image; 255 in the padding), so the contrastive loss keeps its
# positive term only (cosine reconstruction of the teacher).
no_droplet_train_pipeline_256, no_droplet_train_pipeline_128 = [[
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(type='LoadBinaryAnnotations', threshold=127),
    dict(
        type='PairedTransform',
        transforms=[
            dict(type='Resize', scale=(size, size), keep_ratio=True),
            dict(
                type='PadIgnoreLabels',
                size=(size, size),
                padding_mode='reflect'),
            dict(type='RandomFlip', prob=0.5)
        ]),
    dict(type='PackPairedSegInputs'),
] for size in (256, 128)]

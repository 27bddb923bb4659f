# Ablation "w/o droplet augmentation" of
# cat_swin-nano_1xb8-400i_synsurface-128x128.py: the same model and
# schedule trained on the unaugmented images (the loss has no negatives, so
# it reduces to the cosine reconstruction of the teacher).
_base_ = [
    './cat_swin-nano_1xb8-400i_synsurface-128x128.py'
]
train_dataloader = dict(
    dataset=dict(pipeline={{_base_.no_droplet_train_pipeline_128}}))

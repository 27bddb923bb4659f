# Ablation -C of the paper's Table 2 (CAT without droplet augmentation):
# the training images are not augmented, so the contrastive loss has no
# negatives and reduces to the cosine reconstruction of the teacher.
_base_ = [
    './cat_swin-t_1xb64-200e_ksdd2-256x256.py'
]
train_dataloader = dict(
    dataset=dict(pipeline={{_base_.no_droplet_train_pipeline_256}}))

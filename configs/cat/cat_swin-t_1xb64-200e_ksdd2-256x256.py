# CAT, the paper's recipe on KolektorSDD2 (Sec. 4.2): Swin-T + MSF-FPN
# student, frozen ImageNet ResNet-50 teacher, droplets on every training
# image, weighted contrastive loss; 256x256, flip 0.5, ImageNet
# normalisation, Adam (0.9, 0.95) lr 5e-4, batch 64, 200 epochs, seed 54.
# Trained on the 2,085 defect-free KSDD2 training images only (data:
# configs/_base_/datasets/ksdd2.py). Deviation: images are padded to the
# square with reflect padding, the remedy the paper names for its zero
# padding (Sec. 4.7); the paper's zero padding is the override documented in
# configs/_base_/datasets/anomaly_pipelines.py. Needs a GPU.
_base_ = [
    '../_base_/models/cat_swin-t_r50.py', '../_base_/datasets/ksdd2.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_cat_200e.py'
]
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    sampler=dict(type='DefaultSampler', shuffle=True))
val_dataloader = dict(num_workers=4)
test_dataloader = val_dataloader
log_processor = dict(by_epoch=True)
val_evaluator = dict(type='AnomalyMetric', score_key='anomaly_map')
test_evaluator = val_evaluator

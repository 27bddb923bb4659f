# Ablation -A of the paper's Table 2 (CAT without Swin-T): ViT-B/16 student
# with MSF-FPN, droplets and the weighted contrastive loss; otherwise the
# recipe of cat_swin-t_1xb64-200e_ksdd2-256x256.py.
_base_ = [
    '../_base_/models/cat_vit-b_r50.py', '../_base_/datasets/ksdd2.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_cat_200e.py'
]
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    sampler=dict(type='DefaultSampler', shuffle=True))
log_processor = dict(by_epoch=True)
val_evaluator = dict(type='AnomalyMetric', score_key='anomaly_map')
test_evaluator = val_evaluator

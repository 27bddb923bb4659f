# The baseline of the paper's Table 1 (no A/B/C/D): ViT-B/16 + plain FPN +
# l2 feature reconstruction of the frozen ResNet-50 teacher, no droplets, in
# the style of MMR; the schedule and data of the CAT recipe.
_base_ = [
    '../_base_/models/cat_mmr-style_vit-b_r50.py',
    '../_base_/datasets/ksdd2.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_cat_200e.py'
]
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(pipeline={{_base_.no_droplet_train_pipeline_256}}))
log_processor = dict(by_epoch=True)
val_evaluator = dict(type='AnomalyMetric', score_key='anomaly_map')
test_evaluator = val_evaluator

# The MMR-style baseline on MTD at the budget of
# cat_swin-nano_1xb8-600i_mtd-256x256.py (same data, teacher, schedule):
# ViT + plain FPN + l2 feature reconstruction, no droplets. At 256x256 the
# ViT takes 16x16 patches (the 16x16 token grid of the 128x128 variant and
# the stride of MMR's ViT-B/16), rescaled by 4/2/1 to strides 4/8/16.
_base_ = [
    '../_base_/models/cat_mmr-style_vit-nano_r18-nano.py',
    '../_base_/datasets/mtd.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_cat_cpu.py'
]
model = dict(
    data_preprocessor=dict(size=(256, 256)),
    backbone=dict(img_size=(256, 256), patch_size=16),
    neck=dict(input_scales=(4, 2, 1)))
max_iters = 600
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))
train_dataloader = dict(
    batch_size=8,
    dataset=dict(pipeline={{_base_.no_droplet_train_pipeline_256}}))
val_evaluator = dict(type='AnomalyMetric', score_key='anomaly_map')
test_evaluator = val_evaluator

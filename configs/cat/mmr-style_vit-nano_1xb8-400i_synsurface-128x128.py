# The MMR-style baseline at the CPU budget of
# cat_swin-nano_1xb8-400i_synsurface-128x128.py: ViT (8x8 patches) +
# plain FPN + l2 feature reconstruction of the same frozen random teacher,
# no droplets.
_base_ = [
    '../_base_/models/cat_mmr-style_vit-nano_r18-nano.py',
    '../_base_/datasets/synsurface_128x128.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_cat_cpu.py'
]
model = dict(data_preprocessor=dict(size=(128, 128)))
train_dataloader = dict(
    batch_size=8,
    dataset=dict(pipeline={{_base_.no_droplet_train_pipeline_128}}))
val_evaluator = dict(type='AnomalyMetric', score_key='anomaly_map')
test_evaluator = val_evaluator

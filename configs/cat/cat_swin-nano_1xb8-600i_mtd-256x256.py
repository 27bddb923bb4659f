# CPU-sized CAT on Magnetic Tile Defects (MTD, the fixed split: 761
# defect-free training images, 583 test images) at 256x256: the nano model
# of cat_swin-nano_1xb8-400i_synsurface-128x128.py, batch 8, 600
# iterations (about 6 epochs). Data: ln -s /path/to/MTD data/mtd (here
# ../shared/data/MTD), see configs/_base_/datasets/mtd.py.
_base_ = [
    '../_base_/models/cat_swin-nano_r18-nano.py', '../_base_/datasets/mtd.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_cat_cpu.py'
]
model = dict(
    data_preprocessor=dict(size=(256, 256)),
    backbone=dict(pretrain_img_size=256))
max_iters = 600
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))
train_dataloader = dict(batch_size=8)
val_evaluator = dict(type='AnomalyMetric', score_key='anomaly_map')
test_evaluator = val_evaluator

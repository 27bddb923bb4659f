# The smallest CAT, for tests and smoke runs: the CPU model at 64x64 on the
# generated toy anomaly set (mmdefect.testing.toy_anomaly), 20 iterations.
_base_ = [
    '../_base_/models/cat_swin-nano_r18-nano.py',
    '../_base_/datasets/toy_anomaly.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_cat_cpu.py'
]
model = dict(
    data_preprocessor=dict(size=(64, 64)),
    backbone=dict(window_size=4),
    decode_head=dict(sigma=2.0))
max_iters = 20
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=5), checkpoint=dict(interval=max_iters))

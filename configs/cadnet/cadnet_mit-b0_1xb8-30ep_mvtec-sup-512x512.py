# CADNet-B0 on MVTec AD re-split 70/30 (16 classes), 512x512, batch 8,
# 30 epochs = 30 * 3747 / 8 = 14,051 iterations.
_base_ = [
    '../_base_/models/cadnet_mit-b0.py',
    '../_base_/datasets/mvtec_supervised.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_30ep.py'
]
model = dict(decode_head=dict(num_classes=16))
max_iters = 14051
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0,
         end=1500),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=1500, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=468 * 5)
default_hooks = dict(checkpoint=dict(interval=468 * 5))
randomness = dict(seed=0)

# GPU schedule of 10,000 iterations (DeepPCB: 80 epochs of the 1,000
# trainval pairs at batch 8); otherwise the SegFormer/CADNet recipe (AdamW
# 6e-5, head lr x10, 1,500 warm-up iterations, poly decay). Validation every
# 1,000 iterations, best checkpoint by DeepPCB mAP (its users are the DeepPCB
# configs; others set default_hooks.checkpoint.save_best).
_base_ = ['./schedule_30ep.py']
max_iters = 10000
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0,
         end=1500),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=1500, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=1000)
default_hooks = dict(
    checkpoint=dict(interval=1000, save_best='DeepPCB/mAP', rule='greater'))

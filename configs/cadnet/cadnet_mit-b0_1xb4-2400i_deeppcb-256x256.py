# CADNet-B0 on DeepPCB at the early-fusion recipe's CPU budget (about 75 min
# of one core, configs/early_fusion/README.md): the 1,000-iteration CPU
# recipe run for 2,400 iterations of batch 4 (about 10 epochs of the 1,000
# trainval pairs; MiT-B0 is slower per image than the 32-channel ResNet-18).
_base_ = ['./cadnet_mit-b0_1xb4-1k_deeppcb-256x256.py']
max_iters = 2400
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
        end=100),
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=1.0,
        begin=100,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=800, max_keep_ckpts=3))

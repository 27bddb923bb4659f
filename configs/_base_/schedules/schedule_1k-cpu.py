# CPU schedule of 1,000 iterations (e.g. DeepPCB: batch 4 = 4 epochs of the
# 1,000 trainval pairs), AdamW 1e-3 (no pretrained encoder offline), no
# validation loop: evaluate with tools/test.py (for DeepPCB also
# tools/benchmarks/deeppcb.py).
_base_ = ['./schedule_600i-cpu.py']
max_iters = 1000
param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
        end=50),
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=1.0,
        begin=50,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
val_cfg = None
default_hooks = dict(
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1))

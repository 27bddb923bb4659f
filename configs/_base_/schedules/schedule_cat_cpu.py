# CPU schedule of the CAT configs: the paper's optimiser (Adam,
# betas (0.9, 0.95), lr 5e-4, no weight decay) at a constant learning rate
# after a short warm-up, iteration based; validation and a checkpoint at
# the end. An experiment config with another length sets max_iters,
# val_interval and the checkpoint interval together.
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='SiameseOptimWrapperConstructor',
    optimizer=dict(type='Adam', lr=5e-4, betas=(0.9, 0.95), weight_decay=0.))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=400, val_interval=400)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook', by_epoch=False, interval=400,
        max_keep_ckpts=1),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
randomness = dict(seed=54)

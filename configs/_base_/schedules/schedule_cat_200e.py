# The CAT paper's schedule (Sec. 4.2): Adam with betas (0.9, 0.95), lr 5e-4
# (the paper names no weight decay and no learning-rate schedule, so none),
# 200 epochs, validation every 20 epochs, seed 54. (Experiment configs set
# log_processor = dict(by_epoch=True); default_runtime.py owns that key.)
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='SiameseOptimWrapperConstructor',
    optimizer=dict(type='Adam', lr=5e-4, betas=(0.9, 0.95), weight_decay=0.))
param_scheduler = []
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=200, val_interval=20)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook', by_epoch=True, interval=20, max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
randomness = dict(seed=54)

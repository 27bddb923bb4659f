# The classical baseline a PCB engineer tries first, evaluation-only:
# binarise test and template, absolute difference, opening + closing,
# connected components, a defect type per component from topological rules
# (ClassicalDiffSegmentor). No training, no checkpoint:
#   python tools/test.py configs/classical/classical-diff_deeppcb-640x640.py
_base_ = ['../_base_/datasets/deeppcb.py', '../_base_/default_runtime.py']
model = dict(
    type='ClassicalDiffSegmentor',
    num_classes=7,
    # raw 0-255 grey values: no normalisation, BGR kept
    data_preprocessor=dict(type='PairedSegDataPreProcessor'))
train_dataloader = None
val_dataloader = None
val_evaluator = None
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    visualization=dict(type='SegVisualizationHook'))

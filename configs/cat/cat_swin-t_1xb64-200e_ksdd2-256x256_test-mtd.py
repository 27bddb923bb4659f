# Cross-domain test of the KSDD2 model (cat_swin-t_1xb64-200e_ksdd2-256x256.py)
# on Magnetic Tile Defects (MTD, Table 6) without training there:
#   python tools/test.py \
#       configs/cat/cat_swin-t_1xb64-200e_ksdd2-256x256_test-mtd.py \
#       work_dirs/cat_swin-t_1xb64-200e_ksdd2-256x256/epoch_200.pth
# Test only: no training or validation loop.
_base_ = [
    '../_base_/models/cat_swin-t_r50.py', '../_base_/datasets/mtd.py',
    '../_base_/default_runtime.py'
]
train_dataloader = None
train_cfg = None
optim_wrapper = None
val_dataloader = None
val_cfg = None
val_evaluator = None
test_cfg = dict(type='TestLoop')
test_evaluator = dict(type='AnomalyMetric', score_key='anomaly_map')

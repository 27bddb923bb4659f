# CPU-sized CAT on MTD (fixed split) at 128x128: the nano model of
# cat_swin-nano_1xb8-400i_synsurface-128x128.py, batch 8, 400
# iterations (about 4 epochs). The budget fits a loaded 2-core machine;
# cat_swin-nano_1xb8-600i_mtd-256x256.py is the 256x256 variant.
# Data: ln -s /path/to/MTD data/mtd, see configs/_base_/datasets/mtd.py.
_base_ = [
    '../_base_/models/cat_swin-nano_r18-nano.py',
    '../_base_/datasets/mtd_128x128.py', '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_cat_cpu.py'
]
model = dict(data_preprocessor=dict(size=(128, 128)))
train_dataloader = dict(batch_size=8)
val_evaluator = dict(type='AnomalyMetric', score_key='anomaly_map')
test_evaluator = val_evaluator

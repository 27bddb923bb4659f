# CPU-sized CAT on SynSurface at 128x128 (the quickstart data): the nano
# student (Swin 32-wide, depths 2-2-2, MSF-FPN) against a frozen random
# ResNet-18-layout teacher, weighted contrastive loss on droplets, batch 8,
# 400 iterations of Adam (betas 0.9/0.95, lr 5e-4). Data:
#   python tools/dataset_converters/synsurface.py data/synsurface_128 \
#       --num-train 240 --num-val 40 --num-test 80 --size 128
_base_ = [
    '../_base_/models/cat_swin-nano_r18-nano.py',
    '../_base_/datasets/synsurface_128x128.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_cat_cpu.py'
]
model = dict(data_preprocessor=dict(size=(128, 128)))
train_dataloader = dict(batch_size=8)
val_evaluator = dict(type='AnomalyMetric', score_key='anomaly_map')
test_evaluator = val_evaluator

# CADNet-B0 on DeepPCB with GPU settings: ImageNet-pretrained MiT-B0,
# 512x512 crops, batch 8, 10,000 iterations (80 epochs).
_base_ = [
    '../_base_/models/cadnet_mit-b0.py', '../_base_/datasets/deeppcb.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_10k.py'
]
model = dict(decode_head=dict(num_classes=7))
randomness = dict(seed=0)

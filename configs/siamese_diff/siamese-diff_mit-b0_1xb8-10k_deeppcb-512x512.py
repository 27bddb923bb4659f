# Siamese-diff baseline on DeepPCB: MiT-B0 shared by both images, SegFormer
# head on |f_img - f_ref|; data, budget and schedule of
# configs/cadnet/cadnet_mit-b0_1xb8-10k_deeppcb-512x512.py.
_base_ = [
    '../_base_/models/siamese-diff_mit-b0.py', '../_base_/datasets/deeppcb.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_10k.py'
]
model = dict(decode_head=dict(num_classes=7))
randomness = dict(seed=0)

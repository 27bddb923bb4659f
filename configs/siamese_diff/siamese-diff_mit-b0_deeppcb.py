# Siamese-diff baseline on DeepPCB: MiT-B0 shared by both images, SegFormer
# head on |f_img - f_ref|; data, budget and schedule of
# configs/cadnet/cadnet_deeppcb.py.
_base_ = [
    '../_base_/models/segformer_mit-b0.py', '../_base_/datasets/deeppcb.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_deeppcb.py'
]
model = dict(
    type='SiameseEncoderDecoder',
    fusion='diff',
    data_preprocessor=dict(type='PairedSegDataPreProcessor'),
    decode_head=dict(num_classes=7))
randomness = dict(seed=0)

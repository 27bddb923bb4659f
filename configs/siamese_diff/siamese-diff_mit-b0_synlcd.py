# Siamese-diff baseline: SegFormer-B0 with its MiT-B0 shared by both images
# and the SegFormer head on |f_img - f_ref| (SiameseEncoderDecoder
# fusion='diff'); same data and schedule as configs/cadnet/cadnet_synlcd.py.
_base_ = [
    '../_base_/models/segformer_mit-b0.py', '../_base_/datasets/synlcd.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_30ep_synlcd.py'
]
data_preprocessor = dict(type='PairedSegDataPreProcessor')
model = dict(
    type='SiameseEncoderDecoder',
    fusion='diff',
    data_preprocessor=dict(type='PairedSegDataPreProcessor'))
randomness = dict(seed=0)

# Siamese-diff baseline: SegFormer-B0 with its MiT-B0 shared by both images
# and the SegFormer head on |f_img - f_ref| (SiameseEncoderDecoder
# fusion='diff'); same data and schedule as
# configs/cadnet/cadnet_mit-b0_1xb8-30ep_synlcd-512x512.py.
_base_ = [
    '../_base_/models/siamese-diff_mit-b0.py', '../_base_/datasets/synlcd.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_30ep.py'
]
randomness = dict(seed=0)

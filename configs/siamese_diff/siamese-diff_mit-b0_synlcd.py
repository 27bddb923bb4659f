# Siamese-diff baseline: shared MiT-B0 on both images, SegFormer head on
# |f_img - f_ref| (SiameseEncoderDecoder fusion='diff'), same data and
# schedule as configs/cadnet/cadnet_synlcd.py.
_base_ = [
    '../_base_/models/cadnet_mit-b0.py', '../_base_/datasets/synlcd.py',
    '../_base_/default_runtime.py', '../_base_/schedules/schedule_30ep_synlcd.py'
]
model = dict(
    fusion='diff',
    decode_head=dict(
        _delete_=True,
        type='SegformerHead',
        in_channels=[32, 64, 160, 256],
        in_index=[0, 1, 2, 3],
        channels=256,
        dropout_ratio=0.1,
        num_classes=3,
        norm_cfg=dict(type='SyncBN', requires_grad=True),
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)))
randomness = dict(seed=0)

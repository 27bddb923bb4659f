# CPU-sized CAT: cat_swin-t_r50.py scaled down so that a few hundred
# iterations run in minutes on 2 cores. Student: Swin with embed_dims 32,
# depths (2, 2, 2), window 8 (it divides the 1/4, 1/8, 1/16 token grids of
# 128x128 and 256x256 inputs, so windows need no padding) + MSF-FPN 64 wide;
# teacher: a frozen ResNet-18 layout with 32 base channels, layer1-3
# (32/64/128 channels at strides 4/8/16). No checkpoint exists for these
# sizes: both branches are randomly initialised (a frozen random teacher,
# see configs/cat/README.md).
_base_ = ['./cat_swin-t_r50.py']
teacher_channels = [32, 64, 128]
model = dict(
    data_preprocessor=dict(size=(128, 128)),
    backbone=dict(
        pretrain_img_size=128,
        embed_dims=32,
        window_size=8,
        depths=[2, 2, 2],
        num_heads=[1, 2, 4],
        strides=(4, 2, 2),
        out_indices=(0, 1, 2),
        drop_path_rate=0.,
        init_cfg=None),
    neck=dict(
        in_channels=[32, 64, 128],
        in_index=[0, 1, 2],
        out_channels=teacher_channels,
        channels=64),
    ref_backbone=dict(
        depth=18,
        stem_channels=32,
        base_channels=32,
        # a random teacher must not start with identity residual blocks
        # (mmseg zero-initialises the last BN of every block by default)
        zero_init_residual=False,
        init_cfg=None),
    decode_head=dict(in_channels=teacher_channels))

# The CPU-sized MMR-style baseline beside cat_swin-nano_r18-nano.py:
# cat_mmr-style_vit-b_r50.py scaled down. Student: ViT with 8x8 patches,
# 64 wide, 4 blocks (blocks 2, 3, 4 at stride 8, rescaled to strides
# 4/8/16), plain FPN 64 wide; the frozen random teacher of
# cat_swin-nano_r18-nano.py; l2 feature reconstruction, no droplets.
_base_ = ['./cat_mmr-style_vit-b_r50.py']
teacher_channels = [32, 64, 128]
model = dict(
    data_preprocessor=dict(size=(128, 128)),
    backbone=dict(
        img_size=(128, 128),
        patch_size=8,
        embed_dims=64,
        num_layers=4,
        num_heads=2,
        out_indices=(1, 2, 3),
        drop_path_rate=0.,
        init_cfg=None),
    neck=dict(
        in_channels=[64, 64, 64],
        input_scales=(2, 1, 0.5),
        out_channels=teacher_channels,
        channels=64),
    ref_backbone=dict(
        depth=18,
        stem_channels=32,
        base_channels=32,
        zero_init_residual=False,
        init_cfg=None),
    decode_head=dict(in_channels=teacher_channels))

# CAT without Swin-T (ablation -A of the paper's Table 2): the student
# backbone is mmseg's ViT-B/16 (blocks 4, 8, 12, all at stride 16),
# MSF-FPN rescales them to strides 4/8/16 (input_scales) before the fusion.
# init_cfg: the timm ViT-B/16 ImageNet weights converted for mmseg
# (mmseg's tools/model_converters/vit2mmseg.py jx_vit_base_p16_224-80ecf9dd.pth
# pretrain/jx_vit_base_p16_224-80ecf9dd.pth); no test loads them.
_base_ = ['./cat_swin-t_r50.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='VisionTransformer',
        img_size=(256, 256),
        patch_size=16,
        in_channels=3,
        embed_dims=768,
        num_layers=12,
        num_heads=12,
        mlp_ratio=4,
        out_indices=(3, 7, 11),
        qkv_bias=True,
        drop_rate=0.,
        attn_drop_rate=0.,
        drop_path_rate=0.1,
        with_cls_token=True,
        norm_cfg=dict(type='LN', eps=1e-6),
        act_cfg=dict(type='GELU'),
        final_norm=False,
        interpolate_mode='bicubic',
        init_cfg=dict(
            type='Pretrained',
            checkpoint='pretrain/jx_vit_base_p16_224-80ecf9dd.pth')),
    neck=dict(
        in_channels=[768, 768, 768],
        in_index=[0, 1, 2],
        input_scales=(4, 2, 1)))

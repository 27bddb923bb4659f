# CAT (contrastive augmented transformer): trainable Swin-T + MSF-FPN student
# on the droplet-augmented image, frozen ResNet-50 teacher (layer1-3) on the
# original image (ref_mode='self'), compared scale by scale at strides
# 4/8/16 by the weighted contrastive loss; the anomaly map is the averaged,
# Gaussian-smoothed 1 - cosine discrepancy. init_cfg names the official
# ImageNet checkpoints (downloaded by mmengine when a user trains); tests and
# the CPU configs set them to None (random initialisation).
data_preprocessor = dict(
    type='PairedSegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=(256, 256))
swin_t_checkpoint = ('https://download.openmmlab.com/mmsegmentation/v0.5/'
                     'pretrain/swin/swin_tiny_patch4_window7_224_20220317-'
                     '1cdeb081.pth')
teacher_channels = [256, 512, 1024]
model = dict(
    type='SiameseEncoderDecoder',
    fusion='pair',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='SwinTransformer',
        pretrain_img_size=224,
        embed_dims=96,
        patch_size=4,
        window_size=7,
        mlp_ratio=4,
        depths=[2, 2, 6, 2],
        num_heads=[3, 6, 12, 24],
        strides=(4, 2, 2, 2),
        out_indices=(0, 1, 2, 3),
        qkv_bias=True,
        qk_scale=None,
        patch_norm=True,
        drop_rate=0.,
        attn_drop_rate=0.,
        drop_path_rate=0.2,
        use_abs_pos_embed=False,
        act_cfg=dict(type='GELU'),
        norm_cfg=dict(type='LN', requires_grad=True),
        init_cfg=dict(type='Pretrained', checkpoint=swin_t_checkpoint)),
    # student neck: all four Swin-T stages fused, three outputs shaped like
    # the teacher's layer1-3 (256/512/1024 channels at strides 4/8/16)
    neck=dict(
        type='MSFFPN',
        in_channels=[96, 192, 384, 768],
        in_index=[0, 1, 2, 3],
        out_channels=teacher_channels,
        channels=256,
        bidirectional=True),
    ref_backbone=dict(
        type='ResNet',
        depth=50,
        num_stages=3,
        strides=(1, 2, 2),
        dilations=(1, 1, 1),
        out_indices=(0, 1, 2),
        style='pytorch',
        norm_cfg=dict(type='BN', requires_grad=False),
        norm_eval=True,
        frozen=True,
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    decode_head=dict(
        type='CATHead',
        in_channels=teacher_channels,
        in_index=[0, 1, 2],
        sigma=4.0,
        loss_decode=dict(
            type='WeightedContrastiveLoss',
            tau=10.0,
            margin=1.0,
            hard_negative_weighting=True,
            max_negatives=4096,
            loss_weight=1.0)),
    train_cfg=dict(),
    # the paper's fixed threshold; calibrated thresholds live in the
    # checkpoint meta / inferencer and in AnomalyMetric (threshold-free)
    test_cfg=dict(mode='whole', threshold=0.5))

# Early-fusion CNN change detector (FC-EF, Daudt et al., ICIP 2018, with a
# ResNet encoder): SiameseEncoderDecoder(fusion='early') hands the whole
# 6-channel pair (inspected image + reference) to one ResNet-18 (mmseg's
# ResNetV1c: deep stem, 32 stem and base channels, i.e. half of the usual
# widths), so its first convolutions compare the two images pixel by pixel,
# sign included (missing vs extra material); SegFormer's all-MLP head (64
# channels) reads its four stages (1/4 ... 1/32). No ImageNet weights exist
# for a 6-channel stem: trained from scratch.
_base_ = ['./segformer_mit-b0.py']
model = dict(
    type='SiameseEncoderDecoder',
    fusion='early',
    data_preprocessor=dict(type='PairedSegDataPreProcessor'),
    backbone=dict(
        _delete_=True,
        type='ResNetV1c',
        depth=18,
        in_channels=6,
        stem_channels=32,
        base_channels=32,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        norm_cfg={{_base_.norm_cfg}},
        style='pytorch',
        init_cfg=None),
    decode_head=dict(in_channels=[32, 64, 128, 256], channels=64))

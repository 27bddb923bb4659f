# CADNet-B0: SegFormer-B0's MiT-B0 encoder shared by the inspected image and
# its reference (SiameseEncoderDecoder, fusion='pair') and the change-aware
# decoder (CADHead: DistMap, balanced contrastive loss, 3-D coordinate
# attention) in place of the SegFormer head.
_base_ = ['./segformer_mit-b0.py']
data_preprocessor = dict(type='PairedSegDataPreProcessor')
model = dict(
    type='SiameseEncoderDecoder',
    fusion='pair',
    data_preprocessor=data_preprocessor,
    decode_head=dict(
        type='CADHead',
        change_att='supervised',
        # lambda_2 = 0.1 instead of the paper's 1: better on generated SynLCD
        # over two seeds (configs/cadnet/README.md)
        loss_contrast=dict(type='BalancedContrastiveLoss', loss_weight=0.1)))

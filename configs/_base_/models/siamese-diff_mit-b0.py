# Siamese-diff baseline: SegFormer-B0 with its MiT-B0 shared by both images
# and the SegFormer head on |f_img - f_ref| (SiameseEncoderDecoder,
# fusion='diff'); normalisation as SegFormer's, applied to both halves.
_base_ = ['./segformer_mit-b0.py']
data_preprocessor = dict(type='PairedSegDataPreProcessor')
model = dict(
    type='SiameseEncoderDecoder',
    fusion='diff',
    data_preprocessor=data_preprocessor)

# The baseline of the CAT paper's Table 1 ("ViT + standard FPN + l2
# reconstruction loss", in the style of MMR): ViT-B/16 student, plain FPN
# (mmseg's FPN + 1x1 projections), FeatureReconstructionLoss (mean squared
# error to the frozen ResNet-50 teacher's layer1-3 features); train it on
# images without droplets (no_droplet_train_pipeline_* of
# ../datasets/anomaly_pipelines.py). The anomaly map is
# the same 1 - cosine discrepancy as CAT's (MMR's own inference rule).
_base_ = ['./cat_vit-b_r50.py']
model = dict(
    neck=dict(bidirectional=False),
    decode_head=dict(
        loss_decode=dict(
            _delete_=True,
            type='FeatureReconstructionLoss',
            distance='l2',
            loss_weight=1.0)))

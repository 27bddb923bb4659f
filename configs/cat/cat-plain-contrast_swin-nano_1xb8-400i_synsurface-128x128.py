# Ablation "plain vs weighted contrastive" of
# cat_swin-nano_1xb8-400i_synsurface-128x128.py: uniform weights over the
# droplet negatives instead of Eq. 3's softmax.
_base_ = ['./cat_swin-nano_1xb8-400i_synsurface-128x128.py']
model = dict(
    decode_head=dict(loss_decode=dict(hard_negative_weighting=False)))

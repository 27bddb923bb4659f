# Ablation -D of the paper's Table 2 (without the weighted loss): the plain
# contrastive loss, every droplet negative weighted equally (Eq. 3 off).
_base_ = ['./cat_swin-t_1xb64-200e_ksdd2-256x256.py']
model = dict(
    decode_head=dict(loss_decode=dict(hard_negative_weighting=False)))

# Ablation -B of the paper's Table 2 (CAT without MSF-FPN): the student's
# neck is a plain top-down FPN (mmseg's FPN + 1x1 projections to the
# teacher's channels, MSFFPN(bidirectional=False)).
_base_ = ['./cat_swin-t_1xb64-200e_ksdd2-256x256.py']
model = dict(neck=dict(bidirectional=False))

# Ablation "MSF-FPN vs plain FPN" of
# cat_swin-nano_1xb8-400i_synsurface-128x128.py: the student's neck is
# mmseg's top-down FPN + 1x1 projections (MSFFPN(bidirectional=False)).
_base_ = ['./cat_swin-nano_1xb8-400i_synsurface-128x128.py']
model = dict(neck=dict(bidirectional=False))

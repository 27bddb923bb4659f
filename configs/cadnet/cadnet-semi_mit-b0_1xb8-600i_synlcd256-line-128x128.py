# CADNet-B0 with the semi-/unsupervised change-aware decoder
# (change_att='semi', Eq. 13-14: Norm(DistMap) * CA(X) * X), otherwise as
# cadnet_mit-b0_1xb8-600i_synlcd256-line-128x128.py (cross tests, "LL").
_base_ = ['./cadnet_mit-b0_1xb8-600i_synlcd256-line-128x128.py']
model = dict(decode_head=dict(change_att='semi'))

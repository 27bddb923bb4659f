# CADNet-B0 with change_att='semi' (Eq. 13-14) trained on abnormal points:
# the pretrained model of the label-fraction protocol (paper Table 6) in
# the decoder setting the paper gives for semi-/unsupervised use.
_base_ = ['./cadnet_mit-b0_1xb8-600i_synlcd256-abpt-128x128.py']
model = dict(decode_head=dict(change_att='semi'))

# Cross test "AL" (paper Fig. 6): the abpt-trained SegFormer-B0 tested on
# line defects.
_base_ = ['./segformer_mit-b0_1xb8-600i_synlcd256-abpt-128x128.py']
test_dataloader = dict(dataset=dict(data_root={{_base_.line_root}}))

# Cross test "AL" (paper Fig. 6): the abpt-trained Siamese-diff MiT-B0
# tested on line defects, a type it never saw.
_base_ = ['./siamese-diff_mit-b0_1xb8-600i_synlcd256-abpt-128x128.py']
test_dataloader = dict(dataset=dict(data_root={{_base_.line_root}}))

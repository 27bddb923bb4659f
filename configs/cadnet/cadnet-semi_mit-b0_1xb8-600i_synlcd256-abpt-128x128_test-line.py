# Cross test "AL" of CADNet-B0 with change_att='semi' (= the 0 % row of the
# label-fraction protocol in that setting).
_base_ = ['./cadnet-semi_mit-b0_1xb8-600i_synlcd256-abpt-128x128.py']
test_dataloader = dict(dataset=dict(data_root={{_base_.line_root}}))

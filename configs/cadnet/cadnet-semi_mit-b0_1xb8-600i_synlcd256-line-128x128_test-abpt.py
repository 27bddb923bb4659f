# Cross test "LA" of CADNet-B0 with change_att='semi'.
_base_ = ['./cadnet-semi_mit-b0_1xb8-600i_synlcd256-line-128x128.py']
test_dataloader = dict(dataset=dict(data_root={{_base_.abpt_root}}))

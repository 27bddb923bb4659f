# Cross test "LA" (paper Fig. 6): the line-trained CADNet-B0 tested on the
# abnormal-point set, a defect type it never saw.
_base_ = ['./cadnet_mit-b0_1xb8-600i_synlcd256-line-128x128.py']
test_dataloader = dict(dataset=dict(data_root={{_base_.abpt_root}}))

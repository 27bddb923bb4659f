# CADNet-B0 trained on abnormal points only (cross tests, paper Fig. 6,
# "AA"; the pretrained model of the label-fraction protocol, Table 6). The
# *_test-line variant tests it on line defects ("AL").
_base_ = ['./cadnet_mit-b0_1xb8-600i_synlcd256-line-128x128.py']
_abpt = dict(dataset=dict(data_root={{_base_.abpt_root}}))
train_dataloader = _abpt
val_dataloader = _abpt
test_dataloader = _abpt
# defects are 0.16 % of the abpt pixels (3.5 % for lines): a stronger
# class weight than the line set's 10
model = dict(decode_head=dict(loss_decode=dict(class_weight=[1.0, 50.0])))

# Cross-domain test of the KSDD2 model (cat_swin-t_1xb64-200e_ksdd2-256x256.py)
# on RSDDs rail surfaces (RSDD, Table 7; all images are defective, so only the
# pixel metrics are meaningful), without training there:
#   python tools/test.py \
#       configs/cat/cat_swin-t_1xb64-200e_ksdd2-256x256_test-rsdd.py \
#       work_dirs/cat_swin-t_1xb64-200e_ksdd2-256x256/epoch_200.pth
# The test-only setup of the MTD variant with this data set (see
# configs/_base_/datasets/rsdd.py for the layout and the data root).
_base_ = ['./cat_swin-t_1xb64-200e_ksdd2-256x256_test-mtd.py']
test_dataloader = dict(
    dataset=dict(type='RSDDDataset', data_root='data/rsdd', split='test'))

# Cross-domain test of the KSDD2 model (cat_swin-t_1xb64-200e_ksdd2-256x256.py)
# on KolektorSDD1 (KSDD1, Table 5), without training there:
#   python tools/test.py \
#       configs/cat/cat_swin-t_1xb64-200e_ksdd2-256x256_test-ksdd1.py \
#       work_dirs/cat_swin-t_1xb64-200e_ksdd2-256x256/epoch_200.pth
# The test-only setup of the MTD variant with this data set (see
# configs/_base_/datasets/ksdd1.py for the layout and the data root).
_base_ = ['./cat_swin-t_1xb64-200e_ksdd2-256x256_test-mtd.py']
test_dataloader = dict(
    dataset=dict(type='KSDD1Dataset', data_root='data/ksdd1', split='test'))

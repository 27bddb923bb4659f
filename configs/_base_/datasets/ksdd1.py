# KolektorSDD (KSDD1), a cross-domain test set of CAT: data_root/kosNN/
# PartK.jpg + PartK_label.bmp, all 399 images (52 defective) in val/test.
# Folder-level folds: dataset.fold=K (dataset.num_folds=3) with split='test'
# or 'train'. Training (normal_only): the 347 defect-free images, or those
# of the training folds with fold=K. Data root: a symlink data/ksdd1 or the
# --cfg-options of ksdd2.py.
_base_ = ['./anomaly_pipelines.py']
dataset_type = 'KSDD1Dataset'
data_root = 'data/ksdd1'
train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='train'))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='test'))
test_dataloader = val_dataloader

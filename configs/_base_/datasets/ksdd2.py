# KolektorSDD2 (CAT's training and main test set): data_root/train and
# data_root/test with ID.png + ID_GT.png. Training reads the 2,085
# defect-free training images (normal_only, on by default for train);
# val/test = the 1,004 test images (110 defective). The paper's recipe:
# 256x256, flip 0.5, batch 64 (set by the model config). Data root: a
# symlink data/ksdd2 or
#   --cfg-options train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR test_dataloader.dataset.data_root=DIR  # noqa: E501
_base_ = ['./anomaly_pipelines.py']
dataset_type = 'KSDD2Dataset'
data_root = 'data/ksdd2'
train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='train'))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='test'))
test_dataloader = val_dataloader

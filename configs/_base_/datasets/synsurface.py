# SynSurface, the procedural metal-surface set, as written by
#   python tools/dataset_converters/synsurface.py data/synsurface
# (2,000 defect-free train / 200 val (a fifth defective) / 400 test (half
# defective) at 256x256). Another location: a symlink data/synsurface, or
#   --cfg-options train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR test_dataloader.dataset.data_root=DIR  # noqa: E501
# val holds the few defective images too; its defect-free part alone (for a
# normal-data quantile threshold): val_dataloader.dataset.normal_only=True.
_base_ = ['./anomaly_pipelines.py']
dataset_type = 'SynSurfaceDataset'
data_root = 'data/synsurface'
train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='train'))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='val'))
test_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='test'))

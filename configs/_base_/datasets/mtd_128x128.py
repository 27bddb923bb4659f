# MTD (see mtd.py) at 128x128 for CPU runs.
_base_ = ['./anomaly_pipelines_128x128.py']
dataset_type = 'MTDDataset'
data_root = 'data/mtd'
train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='train'))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='test'))
test_dataloader = val_dataloader

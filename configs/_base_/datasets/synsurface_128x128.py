# SynSurface at 128x128 for CPU runs and the quickstart, written by
#   python tools/dataset_converters/synsurface.py data/synsurface_128 \
#       --num-train 240 --num-val 40 --num-test 80 --size 128
# (a few seconds). Data root override: see synsurface.py.
_base_ = ['./anomaly_pipelines_128x128.py']
dataset_type = 'SynSurfaceDataset'
data_root = 'data/synsurface_128'
train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='train'))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='val'))
test_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='test'))

# Magnetic Tile Defects (MTD) on its fixed split (data_root/splits/): train
# = the 761 defect-free training images, val/test = the 583 test images (191
# defect-free, 392 defective). data_root is relative to the working
# directory: link the data there,
#   ln -s /path/to/MTD data/mtd          (in this project: ../shared/data/MTD)
# or override it:
#   --cfg-options train_dataloader.dataset.data_root=DIR val_dataloader.dataset.data_root=DIR test_dataloader.dataset.data_root=DIR  # noqa: E501
# Defect-free images held out of training for threshold calibration: train
# on the other 684 with
#   --cfg-options train_dataloader.dataset.holdout.every=10 train_dataloader.dataset.holdout.subset=rest  # noqa: E501
# and calibrate on a loader with split='train',
# holdout=dict(every=10, subset='held_out') (77 images).
_base_ = ['./anomaly_pipelines.py']
dataset_type = 'MTDDataset'
data_root = 'data/mtd'
train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='train'))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='test'))
test_dataloader = val_dataloader

# RSDDs (rail surfaces), a cross-domain test set of CAT: data_root is the
# unpacked 'RSDDs dataset' folder with 'Type-I RSDDs dataset' and
# 'Type-II RSDDs dataset', each with 'Rail surface images/*.jpg' and
# 'GroundTruth/*.jpg' (195 images, all defective; dataset.types=['I'] or
# ['II'] for one). Test only: there are no defect-free images to train on.
# The long strips (160x1000, 55x1250) become thin bands of the square after
# resizing; the padding (reflect by default) fills the rest. Data root: a
# symlink data/rsdd or
#   --cfg-options val_dataloader.dataset.data_root=DIR test_dataloader.dataset.data_root=DIR  # noqa: E501
_base_ = ['./anomaly_pipelines.py']
dataset_type = 'RSDDDataset'
data_root = 'data/rsdd'
train_dataloader = None
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, split='test'))
test_dataloader = val_dataloader

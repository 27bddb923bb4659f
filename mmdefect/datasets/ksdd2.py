"""Kolektor Surface-Defect Dataset 2 (KolektorSDD2, KSDD2)."""
from typing import List

from mmseg.registry import DATASETS

from .base_anomaly_dataset import BaseAnomalyDataset

GT_SUFFIX = '_GT'


@DATASETS.register_module()
class KSDD2Dataset(BaseAnomalyDataset):
    """KolektorSDD2 (Bozic, Tabernik, Skocaj, Computers in Industry 2021),
    CAT's training and main evaluation set.

    Layout as published::

        data_root/train/ID.png      colour image, ~230x630
        data_root/train/ID_GT.png   its mask (0 normal, 255 defect)
        data_root/test/ID.png
        data_root/test/ID_GT.png

    2,331 training images (246 defective) and 1,004 test images (110
    defective). Masks are binarised with defect = value > 127
    (``LoadBinaryAnnotations``); a sample is defective when its mask has a
    defect pixel. Training keeps the defect-free images only (2,085) by
    default, as the CAT paper does ("the training images only contain the
    normal samples"); its test set counts 1,005 images with 111 defective,
    one more than the release.

    Args:
        split (str): ``'train'`` (default) or ``'test'``, the sub-folder.
        Other arguments: see :class:`BaseAnomalyDataset`.
    """

    SPLITS = ('train', 'test')

    def describe_source(self) -> str:
        return f'folder {self.join(self.data_root, self.split)!r}'

    def list_samples(self) -> List[dict]:
        folder = self.join(self.data_root, self.split)
        return self.folder_samples(
            folder,
            folder,
            GT_SUFFIX + self.seg_map_suffix,
            keep=lambda stem: not stem.endswith(GT_SUFFIX))

"""SynSurface: the procedural metal-surface set for CAT-style training."""
from typing import List

from mmseg.registry import DATASETS

from .base_anomaly_dataset import BaseAnomalyDataset


@DATASETS.register_module()
class SynSurfaceDataset(BaseAnomalyDataset):
    """SynSurface as written by ``tools/dataset_converters/synsurface.py``
    (:class:`mmdefect.datasets.synthesis.SynSurfaceGenerator`)::

        data_root/img_dir/{train,val,test}/<stem>.png  grey surface image
        data_root/ann_dir/{train,val,test}/<stem>.png  mask 0 / 255
        data_root/manifest.json

    Masks are 0 (normal) / 255 (defect) and read like the real data sets'
    (``LoadBinaryAnnotations``, defect = value > 127). ``train`` is
    defect-free; ``val`` is mostly defect-free
    (``normal_only=True`` gives its defect-free images for quantile
    calibration); ``test`` is about half defective (scratches, pits,
    stains, cracks; never droplets).

    Args:
        split (str): ``'train'`` (default), ``'val'`` or ``'test'``.
        Other arguments: see :class:`BaseAnomalyDataset`.
    """

    SPLITS = ('train', 'val', 'test')

    def describe_source(self) -> str:
        return f'folder {self.join(self.data_root, "img_dir", self.split)!r}'

    def list_samples(self) -> List[dict]:
        return self.folder_samples(
            self.join(self.data_root, 'img_dir', self.split),
            self.join(self.data_root, 'ann_dir', self.split),
            self.seg_map_suffix)

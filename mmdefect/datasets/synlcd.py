"""SynLCD: the synthetic LCD defect data set of the CADNet paper."""
from mmseg.registry import DATASETS

from .base_paired_dataset import BasePairedDataset


@DATASETS.register_module()
class SynLCDDataset(BasePairedDataset):
    """SynLCD pairs as written by ``tools/dataset_converters/synlcd.py``.

    Classes follow the CADNet paper (Table 1): background, ``line`` defects
    and abnormal points (``abpt``).  Layout::

        data_root/img_dir/{train,test}/<stem>.png   inspected images
        data_root/ref_dir/{train,test}/<stem>.png   clean references
        data_root/ann_dir/{train,test}/<stem>.png   labels 0/1/2

    Every sample has its own reference (``ref_mode='per_sample'``).
    """

    METAINFO = dict(
        classes=('background', 'line', 'abpt'),
        palette=[[0, 0, 0], [255, 64, 64], [64, 160, 255]])

    def __init__(self,
                 img_suffix: str = '.png',
                 seg_map_suffix: str = '.png',
                 **kwargs):
        super().__init__(
            img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)

"""MVTec AD re-split for supervised defect segmentation (CADNet, Table 5)."""
import os.path as osp
from typing import Optional

from mmseg.registry import DATASETS

from .base_paired_dataset import BasePairedDataset

MVTEC_CATEGORIES = ('bottle', 'cable', 'capsule', 'carpet', 'grid',
                    'hazelnut', 'leather', 'metal_nut', 'pill', 'screw',
                    'tile', 'toothbrush', 'transistor', 'wood', 'zipper')


@DATASETS.register_module()
class MVTecSupervisedDataset(BasePairedDataset):
    """MVTec AD as the CADNet paper uses it: all 5,354 images re-split
    70/30 with a fixed seed, one defect-free reference per category, and a
    label per category (defect pixels of a ``bottle`` image are class
    ``bottle``), giving 16 classes with background.

    ``tools/dataset_converters/mvtec.py`` writes this layout from the
    original MVTec AD folders::

        data_root/img_dir/{train,test}/<category>/<type>_<id>.png
        data_root/ann_dir/{train,test}/<category>/<type>_<id>.png
        data_root/ref_dir/<category>.png

    References are fixed per category (``ref_mode='fixed'``):
    ``ref_dir/<category>.png``, the category's ``train/good/000.png``.

    Args:
        ref_dir (str): folder of the per-category references, relative to
            ``data_root``. Defaults to ``'ref_dir'``.
    """

    METAINFO = dict(
        classes=('background', ) + MVTEC_CATEGORIES,
        palette=[[0, 0, 0]] + [[(37 * i) % 256, (91 * i) % 256,
                                (151 * i) % 256] for i in range(1, 16)])

    def __init__(self,
                 ref_dir: str = 'ref_dir',
                 img_suffix: str = '.png',
                 seg_map_suffix: str = '.png',
                 fixed_ref: Optional[dict] = None,
                 **kwargs):
        if fixed_ref is None:
            fixed_ref = {
                cat: osp.join(ref_dir, f'{cat}.png')
                for cat in MVTEC_CATEGORIES
            }
        kwargs.setdefault('ref_mode', 'fixed')
        super().__init__(
            img_suffix=img_suffix,
            seg_map_suffix=seg_map_suffix,
            fixed_ref=fixed_ref,
            **kwargs)

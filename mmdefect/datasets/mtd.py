"""Magnetic Tile Defects (MTD) for unsupervised defect detection."""
import os.path as osp
from typing import List, Optional

import mmengine
from mmseg.registry import DATASETS

from .base_anomaly_dataset import BaseAnomalyDataset

MTD_CLASSES = ('MT_Blowhole', 'MT_Break', 'MT_Crack', 'MT_Fray', 'MT_Free',
               'MT_Uneven')
MTD_FREE = 'MT_Free'


@DATASETS.register_module()
class MTDDataset(BaseAnomalyDataset):
    """Magnetic Tile Defects (Huang, Qiu, Yuan, The Visual Computer 2020).

    The authors' release (``abin24/Magnetic-tile-defect-datasets.``)::

        data_root/MT_<Class>/Imgs/NAME.jpg   greyscale image, sizes vary
        data_root/MT_<Class>/Imgs/NAME.png   its mask, same size, soft edges
        data_root/splits/{train,test}.txt    fixed split, one path per line
                                             without extension, e.g.
                                             MT_Free/Imgs/exp0_num_743

    ``<Class>`` is Blowhole, Break, Crack, Fray, Free (defect-free) or
    Uneven. Masks are soft-edged (0-255): defect = value > 127
    (``LoadBinaryAnnotations(threshold=127)`` in the pipeline).

    The fixed split (``splits/``, see the data set's PROVENANCE.md; results
    are comparable only on it): ``train`` = 761 defect-free images, ``test``
    = 583 images, the other 191 defect-free ones and all 392 defective ones.
    A sample is defective when its class is not ``MT_Free``
    (``is_defective``); four MT_Uneven masks are empty, so metrics that
    derive the image label from the mask count those four as normal.

    ``holdout=dict(every=10, subset='held_out')`` on the train split gives
    77 defect-free images (train lines 0, 10, ..., 760) for calibrating a
    threshold, and ``subset='rest'`` the other 684 to train on; the default
    trains on all 761.

    Args:
        split (str): ``'train'`` or ``'test'``; reads
            ``splits/<split>.txt`` unless ``ann_file`` is given.
        ann_file (str, optional): Another list in the same format, relative
            to ``data_root``.
        Other arguments: see :class:`BaseAnomalyDataset`.
    """

    IMG_SUFFIX = '.jpg'

    def __init__(self,
                 split: str = 'train',
                 ann_file: Optional[str] = None,
                 **kwargs):
        if ann_file is None:
            ann_file = osp.join('splits', f'{split}.txt')
        super().__init__(split=split, ann_file=ann_file, **kwargs)

    def describe_source(self) -> str:
        return f'ann_file {self.ann_file}'

    def list_samples(self) -> List[dict]:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'MTDDataset: split list {self.ann_file} not found (expected '
                f'data_root/splits/{self.split}.txt, see the class '
                f'docstring)')
        root = self.data_root or ''
        data_list = []
        lines = mmengine.list_from_file(
            self.ann_file, backend_args=self.backend_args)
        for num, line in enumerate(lines, 1):
            stem = line.strip()
            if not stem:
                continue
            folder = stem.replace('\\', '/').split('/')[0]
            if folder not in MTD_CLASSES or len(stem.split()) != 1:
                raise ValueError(
                    f'{self.ann_file} line {num}: expected a path like '
                    f'MT_<Class>/Imgs/NAME with <Class> in '
                    f'{[c[3:] for c in MTD_CLASSES]}, got {stem!r}')
            data_list.append(
                self.sample(
                    osp.join(root, stem + self.img_suffix),
                    osp.join(root, stem + self.seg_map_suffix),
                    defect_class=folder[3:].lower(),
                    is_defective=folder != MTD_FREE))
        return data_list

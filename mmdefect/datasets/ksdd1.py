"""Kolektor Surface-Defect Dataset (KolektorSDD, KSDD1)."""
import os
import os.path as osp
import re
from typing import List, Optional, Sequence

from mmseg.registry import DATASETS

from .base_anomaly_dataset import BaseAnomalyDataset

FOLDER_PATTERN = re.compile(r'^kos\d+$')
PART_PATTERN = re.compile(r'^Part\d+$')
LABEL_SUFFIX = '_label'


@DATASETS.register_module()
class KSDD1Dataset(BaseAnomalyDataset):
    """KolektorSDD (Tabernik et al., J. Intelligent Manufacturing 2020),
    one of CAT's cross-domain test sets.

    Layout as published (50 folders, one per electrical commutator, with 8
    surface images each)::

        data_root/kos01/Part0.jpg         greyscale image, ~500x1250
        data_root/kos01/Part0_label.bmp   its mask, 0 normal / 255 defect
        ...
        data_root/kos50/Part7.jpg

    Masks are binarised with defect = value > 127; a sample is defective
    when its mask has a defect pixel (52 of the images). ``kos21/Part7`` is
    left out by default, as in the authors' own loader
    (``vicoslab/mixed-segdec-net-comind2021``, ``data/input_ksdd.py``),
    which gives the 399 images usually reported; ``exclude=()`` keeps it.

    Folder-level splits (images of one commutator never fall on both
    sides): with ``fold=k`` and ``num_folds=n`` the sorted folder list is
    dealt into ``n`` folds (folder ``i`` goes to fold ``i % n``); ``'test'``
    reads the folders of fold ``k`` and ``'train'`` all the others. With
    ``fold=None`` (default) both splits read every folder, e.g. for CAT's
    cross-domain test on the whole set. ``folders`` restricts the folders
    beforehand (a list of names such as ``['kos01', 'kos02']``).

    Args:
        split (str): ``'train'`` or ``'test'``. Defaults to ``'test'``.
        folders (Sequence[str], optional): Folders to use; defaults to every
            ``kosNN`` folder in ``data_root``.
        fold (int, optional): Test fold index, ``0 <= fold < num_folds``.
        num_folds (int): Number of folds. Defaults to 3 (the authors'
            three-fold cross-validation).
        exclude (Sequence[str]): ``'kosNN/PartK'`` samples to leave out.
        Other arguments: see :class:`BaseAnomalyDataset`.
    """

    SPLITS = ('test', 'train')
    IMG_SUFFIX = '.jpg'
    SEG_SUFFIX = '.bmp'

    def __init__(self,
                 split: str = 'test',
                 folders: Optional[Sequence[str]] = None,
                 fold: Optional[int] = None,
                 num_folds: int = 3,
                 exclude: Sequence[str] = ('kos21/Part7', ),
                 **kwargs):
        if num_folds < 2:
            raise ValueError(f'KSDD1Dataset: num_folds must be >= 2, got '
                             f'{num_folds}')
        if fold is not None and not 0 <= fold < num_folds:
            raise ValueError(f'KSDD1Dataset: fold must be in [0, '
                             f'{num_folds}), got {fold}')
        self.folders = None if folders is None else list(folders)
        self.fold = fold
        self.num_folds = num_folds
        self.exclude = {e.replace('\\', '/') for e in exclude}
        super().__init__(split=split, **kwargs)

    def describe_source(self) -> str:
        fold = '' if self.fold is None else \
            f', fold {self.fold} of {self.num_folds} ({self.split})'
        return f'{self.data_root!r} (kosNN folders{fold})'

    def split_folders(self) -> List[str]:
        """The folders of this split, sorted."""
        root = self.data_root or ''
        if not osp.isdir(root):
            raise FileNotFoundError(
                f'KSDD1Dataset: data_root {root!r} not found (expected a '
                f'folder of kosNN/ sub-folders)')
        found = sorted(
            name for name in os.listdir(root)
            if FOLDER_PATTERN.match(name) and osp.isdir(osp.join(root, name)))
        if self.folders is not None:
            missing = [f for f in self.folders if f not in found]
            if missing:
                raise FileNotFoundError(
                    f'KSDD1Dataset: folders {missing} not found in {root!r}')
            found = sorted(self.folders)
        if self.fold is None:
            return found
        in_fold = [
            name for i, name in enumerate(found)
            if i % self.num_folds == self.fold
        ]
        return in_fold if self.split == 'test' else \
            [name for name in found if name not in in_fold]

    def list_samples(self) -> List[dict]:
        root = self.data_root or ''
        mask_suffix = LABEL_SUFFIX + self.seg_map_suffix
        data_list = []
        for folder in self.split_folders():
            path = osp.join(root, folder)
            data_list += self.folder_samples(
                path,
                path,
                mask_suffix,
                keep=lambda stem, folder=folder: bool(PART_PATTERN.match(
                    stem)) and f'{folder}/{stem}' not in self.exclude,
                folder=folder)
        return data_list

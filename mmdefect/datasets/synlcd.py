"""SynLCD: the synthetic LCD defect data set of the CADNet paper."""
from typing import Dict, List, Optional

import numpy as np
from mmseg.registry import DATASETS

from .base_paired_dataset import BasePairedDataset

AGNOSTIC_CLASSES = ('background', 'defect')
AGNOSTIC_PALETTE = [[0, 0, 0], [255, 64, 64]]


@DATASETS.register_module()
class SynLCDDataset(BasePairedDataset):
    """SynLCD pairs as written by ``tools/dataset_converters/synlcd.py``.

    Classes follow the CADNet paper (Table 1): background, ``line`` defects
    and abnormal points (``abpt``).  Layout::

        data_root/img_dir/{train,test}/<stem>.png   inspected images
        data_root/ref_dir/{train,test}/<stem>.png   clean references
        data_root/ann_dir/{train,test}/<stem>.png   labels 0/1/2

    Every sample has its own reference (``ref_mode='per_sample'``).

    Two options serve the paper's protocols on unseen defect types:

    * ``class_agnostic=True`` merges both defect types into one class
      (classes ``('background', 'defect')``; label 2 is read as 1 through
      mmseg's ``label_map``). The cross tests (Fig. 6: train on lines, test
      on abnormal points and vice versa) and the label-fraction protocol
      (Table 6: pretrain on abpt, test on lines) can only be scored this
      way: a model that never saw a type cannot name it, it can only find
      it as a change.
    * ``subset_fraction`` keeps a seeded random subset of the split:
      ``max(1, round(fraction * N))`` of its N pairs, drawn with
      ``np.random.default_rng(subset_seed)`` and kept in file order (the
      same files for the same split, fraction and seed). It is the fine-tuning
      set of the label-fraction protocol (5 / 10 / 15 % of the line pairs).
      The paper's 0 % row has no fine-tuning set (it is the pretrained
      model tested as is), so a fraction of 0 is refused.

    Args:
        class_agnostic (bool): one ``defect`` class instead of ``line`` and
            ``abpt``. Defaults to False.
        subset_fraction (float | None): keep this fraction (0 < f <= 1) of
            the pairs; None keeps all. Defaults to None.
        subset_seed (int): seed of the subset. Defaults to 0.
        Other arguments: see :class:`BasePairedDataset`.
    """

    METAINFO = dict(
        classes=('background', 'line', 'abpt'),
        palette=[[0, 0, 0], [255, 64, 64], [64, 160, 255]])

    def __init__(self,
                 img_suffix: str = '.png',
                 seg_map_suffix: str = '.png',
                 class_agnostic: bool = False,
                 subset_fraction: Optional[float] = None,
                 subset_seed: int = 0,
                 **kwargs):
        name = type(self).__name__
        if subset_fraction is not None:
            if isinstance(subset_fraction,
                          bool) or not isinstance(subset_fraction,
                                                  (int, float)):
                raise TypeError(f'{name}: subset_fraction must be a number '
                                f'in (0, 1] or None, got {subset_fraction!r}')
            if subset_fraction == 0:
                raise ValueError(
                    f'{name}: subset_fraction=0 leaves no pairs to train '
                    f'on; the 0 % row of the label-fraction protocol is the '
                    f'pretrained model tested as is (no fine-tuning run)')
            if not 0 < subset_fraction <= 1:
                raise ValueError(f'{name}: subset_fraction must be in '
                                 f'(0, 1], got {subset_fraction!r}')
        if class_agnostic:
            metainfo = dict(kwargs.get('metainfo') or {})
            classes = tuple(metainfo.get('classes', AGNOSTIC_CLASSES))
            if classes != AGNOSTIC_CLASSES:
                raise ValueError(f'{name}: class_agnostic=True means the '
                                 f'classes {AGNOSTIC_CLASSES}, got metainfo '
                                 f'classes {classes}')
            metainfo.update(classes=AGNOSTIC_CLASSES)
            metainfo.setdefault('palette', AGNOSTIC_PALETTE)
            kwargs['metainfo'] = metainfo
        self.class_agnostic = class_agnostic
        self.subset_fraction = subset_fraction
        self.subset_seed = subset_seed
        super().__init__(
            img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)

    def get_label_map(self, new_classes=None) -> Optional[Dict[int, int]]:
        """mmseg's label map, or line and abpt -> defect if class-agnostic.

        An instance method here (a class method in mmseg): the mapping
        depends on ``class_agnostic``.
        """
        if self.class_agnostic:
            return {0: 0, 1: 1, 2: 1}
        return super().get_label_map(new_classes)

    def load_data_list(self) -> List[dict]:
        """The split's pairs, or their seeded subset (``subset_fraction``)."""
        data_list = super().load_data_list()
        if self.subset_fraction is None:
            return data_list
        count = max(1, int(round(self.subset_fraction * len(data_list))))
        rng = np.random.default_rng(self.subset_seed)
        keep = np.sort(rng.permutation(len(data_list))[:count])
        return [data_list[i] for i in keep]

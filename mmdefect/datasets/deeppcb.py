"""DeepPCB: aligned template/test PCB image pairs (Tang et al., 2019)."""
import os.path as osp
from typing import List

import mmengine
import numpy as np
from mmengine import fileio
from mmseg.registry import DATASETS

from .base_paired_dataset import BasePairedDataset


NUM_DEEPPCB_CLASSES = 7


def read_deeppcb_boxes(ann_path: str) -> np.ndarray:
    """Boxes of one DeepPCB annotation file as an (M, 5) int64 array.

    Lines are ``x1 y1 x2 y2 type`` (space-separated in the released data,
    although the authors' readme says commas; both are accepted), ``type``
    in 1..6.
    """
    boxes = []
    with open(ann_path) as f:
        for num, line in enumerate(f, 1):
            tokens = line.replace(',', ' ').split()
            if not tokens:
                continue
            if len(tokens) != 5:
                raise ValueError(f'{ann_path} line {num}: expected '
                                 f'"x1 y1 x2 y2 type", got {line.strip()!r}')
            x1, y1, x2, y2, cls = (int(float(t)) for t in tokens)
            if not 1 <= cls < NUM_DEEPPCB_CLASSES:
                raise ValueError(
                    f'{ann_path} line {num}: type {cls} is not in '
                    f'1..{NUM_DEEPPCB_CLASSES - 1}')
            boxes.append((x1, y1, x2, y2, cls))
    return np.asarray(boxes, dtype=np.int64).reshape(-1, 5)


@DATASETS.register_module()
class DeepPCBDataset(BasePairedDataset):
    """DeepPCB pairs read from the official split lists.

    ``data_root`` is the authors' ``PCBData`` folder and ``ann_file`` one of
    its split lists (``'trainval.txt'``, 1,000 pairs, or ``'test.txt'``, 500
    pairs) or a list file in the same format, one pair per line::

        groupA/B/<id>.jpg groupA/B_not/<id>.txt

    A line gives the inspected image ``groupA/B/<id>_test.jpg`` (suffix
    ``img_suffix``) and its reference, the template
    ``groupA/B/<id>_temp.jpg`` beside it (suffix ``ref_suffix``), both
    relative to ``data_prefix['img_path']`` (``data_prefix['ref_path']`` for
    the template if given).  The second column, the box file (relative to
    ``data_prefix['img_path']``), is read into the data info as
    ``gt_boxes``, an (M, 5) array ``x1, y1, x2, y2, type`` that
    :class:`~mmdefect.evaluation.DeepPCBDetectionMetric` scores boxes
    against; a line without it gives a sample without boxes.  Pixel labels
    come from ``tools/dataset_converters/deeppcb.py``, whose
    output ``<out>/ann_dir`` is ``data_prefix['seg_map_path']``; the label of
    ``groupA/B/<id>.jpg`` is ``<seg_map_path>/groupA/<id>.png``.  Without
    ``seg_map_path`` the samples have no labels (inference).

    Label rule of the converter: inside each box, the pixels where the
    binarised (threshold 127) test and template differ, after a 3x3
    opening and closing, get the box's type; a box with no such pixel is
    labelled whole; pixels outside boxes are background; where boxes
    overlap the smaller box wins.  Classes follow the type numbers of the
    annotation files (1 open, 2 short, 3 mousebite, 4 spur, 5 spurious
    copper, 6 pin-hole).

    With ``check_files=True`` a missing template or label PNG is reported
    when the data list is built (a missing label usually means the
    converter has not been run, or was run with ``--limit``).  ``ref_mode``
    ``'self'`` and ``'fixed'`` behave as in :class:`BasePairedDataset`.

    Example::

        dict(type='DeepPCBDataset',
             data_root='data/DeepPCB/PCBData',
             ann_file='trainval.txt',
             data_prefix=dict(img_path='',
                              seg_map_path='data/deeppcb_labels/ann_dir'))
    """

    METAINFO = dict(
        classes=('background', 'open', 'short', 'mousebite', 'spur',
                 'spurious_copper', 'pin_hole'),
        palette=[[0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255],
                 [255, 255, 0], [255, 0, 255], [0, 255, 255]])

    def __init__(self,
                 img_suffix: str = '_test.jpg',
                 ref_suffix: str = '_temp.jpg',
                 seg_map_suffix: str = '.png',
                 **kwargs):
        super().__init__(
            img_suffix=img_suffix,
            ref_suffix=ref_suffix,
            seg_map_suffix=seg_map_suffix,
            **kwargs)

    def _ref_path(self, rel_img_stem: str, img_path: str) -> str:
        if self.ref_mode != 'per_sample':
            return super()._ref_path(rel_img_stem, img_path)
        ref_dir = self.data_prefix.get('ref_path') or \
            self.data_prefix.get('img_path', '')
        return osp.join(ref_dir, rel_img_stem + self.ref_suffix)

    def _from_ann_file(self) -> List[dict]:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'DeepPCBDataset: ann_file {self.ann_file} not found')
        img_dir = self.data_prefix.get('img_path', '')
        ann_dir = self.data_prefix.get('seg_map_path')
        data_list = []
        lines = mmengine.list_from_file(
            self.ann_file, backend_args=self.backend_args)
        for num, line in enumerate(lines, 1):
            tokens = line.split()
            if not tokens:
                continue
            entry = tokens[0].replace('\\', '/')
            parts = entry.split('/')
            if len(tokens) > 2 or not entry.endswith('.jpg') or \
                    len(parts) < 2:
                raise ValueError(
                    f'{self.ann_file} line {num}: expected '
                    f'"groupA/B/<id>.jpg groupA/B_not/<id>.txt", got '
                    f'{line.strip()!r}')
            stem = entry[:-len('.jpg')]
            img_path = osp.join(img_dir, stem + self.img_suffix)
            seg = None
            if ann_dir is not None:
                name = osp.basename(stem) + self.seg_map_suffix
                seg = osp.join(ann_dir, parts[0], name)
            info = self._info(img_path, self._ref_path(stem, img_path), seg)
            if len(tokens) == 2:
                box_path = osp.join(img_dir, tokens[1].replace('\\', '/'))
                if not osp.isfile(box_path):
                    raise FileNotFoundError(
                        f'{self.ann_file} line {num}: box file {box_path} '
                        f'not found')
                info['gt_boxes'] = read_deeppcb_boxes(box_path)
            data_list.append(info)
        return data_list

    def load_data_list(self) -> List[dict]:
        """Parse the split list; see the class docstring."""
        if not self.ann_file or osp.isdir(self.ann_file):
            raise ValueError(
                'DeepPCBDataset needs ann_file: a split list such as '
                f'"trainval.txt" or "test.txt" (got {self.ann_file!r})')
        data_list = super().load_data_list()
        if self.check_files:
            missing = [
                info['seg_map_path'] for info in data_list
                if 'seg_map_path' in info
                and not fileio.exists(info['seg_map_path'], self.backend_args)
            ]
            if missing:
                raise FileNotFoundError(
                    f'DeepPCBDataset: {len(missing)} of {len(data_list)} '
                    f'label maps are missing, e.g. {missing[0]}; write them '
                    f'with tools/dataset_converters/deeppcb.py (for all the '
                    f'pairs of {self.ann_file})')
        return data_list

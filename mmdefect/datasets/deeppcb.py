"""DeepPCB: aligned template/test PCB image pairs (Tang et al., 2019)."""
import os.path as osp
from typing import List

import mmengine
from mmengine import fileio
from mmseg.registry import DATASETS

from .base_paired_dataset import BasePairedDataset
from .functional import deeppcb as rules


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
    against; a line without it gives a sample without boxes (the
    pipeline's ``PackPairedSegInputs`` passes them on when ``gt_boxes`` is
    among its ``meta_keys``, as in ``configs/_base_/datasets/deeppcb.py``).
    Pixel labels come from ``tools/dataset_converters/deeppcb.py``, whose
    output ``<out>/ann_dir`` is ``data_prefix['seg_map_path']``; the label of
    ``groupA/B/<id>.jpg`` is ``<seg_map_path>/groupA/<id>.png``.  Without
    ``seg_map_path`` the samples have no labels (inference).

    Classes, paths, box files and the converter's label rule are in
    :mod:`mmdefect.datasets.functional.deeppcb` (label rule:
    :func:`~mmdefect.datasets.functional.deeppcb.derive_label`); classes
    follow the type numbers of the annotation files (1 open, 2 short,
    3 mousebite, 4 spur, 5 spurious copper, 6 pin-hole).

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
        classes=rules.DEEPPCB_CLASSES, palette=rules.DEEPPCB_PALETTE)

    def __init__(self,
                 img_suffix: str = rules.IMG_SUFFIX,
                 ref_suffix: str = rules.REF_SUFFIX,
                 seg_map_suffix: str = rules.LABEL_SUFFIX,
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
        lines = mmengine.list_from_file(
            self.ann_file, backend_args=self.backend_args)
        data_list = []
        for entry in rules.parse_split_lines(
                lines, self.ann_file, require_boxes=False):
            stem = rules.entry_stem(entry.img)
            img_path = osp.join(img_dir, stem + self.img_suffix)
            seg = None
            if ann_dir is not None:
                seg = osp.join(
                    ann_dir,
                    rules.label_rel_path(entry.img, self.seg_map_suffix))
            info = self._info(img_path, self._ref_path(stem, img_path), seg)
            if entry.boxes is not None:
                box_path = osp.join(img_dir, entry.boxes)
                if not osp.isfile(box_path):
                    raise FileNotFoundError(
                        f'{self.ann_file} line {entry.line}: box file '
                        f'{box_path} not found')
                info['gt_boxes'] = rules.read_boxes(box_path)
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

"""PKU-Market-PCB as preprocessed by the CADNet authors."""
import os.path as osp

from mmseg.registry import DATASETS

from .base_paired_dataset import BasePairedDataset


@DATASETS.register_module()
class PCBDataset(BasePairedDataset):
    """PKU-Market-PCB crops with their clean template crops (CADNet, Sec. 4).

    The authors cut the boards into 1000x1000 crops (1,566 train / 676 test)
    and pair each crop with the crop at the same position of the defect-free
    template board.  Layout::

        data_root/split_images/<board>_<defect>_<id>_<crop>.jpg  inspected
        data_root/split_PCB_USED/<board>_<crop>.jpg               template
        data_root/ann_dir/<same stem>.png                         labels
        data_root/{train,test}.txt                                split lists

    The reference of ``<board>_<...>_<crop>.jpg`` is
    ``<board>_<crop>.jpg`` in ``data_prefix['ref_path']``: the first and the
    last ``_``-separated fields of the stem.

    Class order follows the authors' mask script (``gen_PCD_annos.py``:
    value = index in Missing_hole, Mouse_bite, Open_circuit, Spur, Short,
    Spurious_copper, plus one).  Their dataset class names values 4 and 5
    the other way round; here the names match the values.
    """

    METAINFO = dict(
        classes=('background', 'missing_hole', 'mouse_bite', 'open_circuit',
                 'spur', 'short', 'spurious_copper'),
        palette=[[0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255],
                 [255, 255, 0], [255, 0, 255], [0, 255, 255]])

    def __init__(self,
                 img_suffix: str = '.jpg',
                 seg_map_suffix: str = '.png',
                 **kwargs):
        super().__init__(
            img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)

    def _ref_path(self, rel_img_stem: str, img_path: str) -> str:
        if self.ref_mode != 'per_sample':
            return super()._ref_path(rel_img_stem, img_path)
        folder, stem = osp.split(rel_img_stem)
        fields = stem.split('_')
        if len(fields) < 2:
            raise ValueError(
                f'PCBDataset: cannot derive the template of {img_path}: '
                f'expected "<board>_..._<crop>{self.img_suffix}"')
        suffix = self.ref_suffix if self.ref_suffix is not None \
            else self.img_suffix
        return osp.join(self.data_prefix.get('ref_path', ''), folder,
                        f'{fields[0]}_{fields[-1]}{suffix}')

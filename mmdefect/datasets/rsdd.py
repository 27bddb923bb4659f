"""Rail Surface Defect Datasets (RSDDs), Type-I and Type-II."""
import os.path as osp
from typing import List, Sequence

from mmseg.registry import DATASETS

from .base_anomaly_dataset import BaseAnomalyDataset

RSDD_TYPES = {
    'I': 'Type-I RSDDs dataset',
    'II': 'Type-II RSDDs dataset',
}
IMAGE_DIR = 'Rail surface images'
MASK_DIR = 'GroundTruth'


@DATASETS.register_module()
class RSDDDataset(BaseAnomalyDataset):
    """RSDDs (Gan, Li, Zhai, Liu, IEEE T-II 2017), a cross-domain test set
    of CAT.

    Layout as released (``data_root`` is the unpacked ``RSDDs dataset``
    folder)::

        data_root/Type-I RSDDs dataset/Rail surface images/NAME.jpg
        data_root/Type-I RSDDs dataset/GroundTruth/NAME.jpg
        data_root/Type-II RSDDs dataset/Rail surface images/NAME.jpg
        data_root/Type-II RSDDs dataset/GroundTruth/NAME.jpg

    The mask has the image's file name in ``GroundTruth``. Type-I: 67 images
    of express rails, 160 px wide and 1,000 px high; Type-II: 128 images of
    common/heavy-haul rails, 55x1,250. This layout is the one public code
    reading the release uses (folder names with spaces, JPEG masks); we have
    not seen the release itself. The JPEG masks carry compression noise,
    which ``LoadBinaryAnnotations(threshold=127)`` removes.

    The release is a set of defect images (each with at least one labelled
    defect, as far as we know), so RSDD serves as a test set only
    (``split='test'``; ``normal_only=True`` raises when no mask is empty). The CAT paper describes RSDD as 800 images with 600
    normal; that does not match this release of 195 images, and it is not
    said where the normal images came from.

    Args:
        types (Sequence[str]): ``'I'``, ``'II'`` or both (default).
        Other arguments: see :class:`BaseAnomalyDataset`.
    """

    SPLITS = ('test', )
    IMG_SUFFIX = '.jpg'
    SEG_SUFFIX = '.jpg'

    def __init__(self,
                 split: str = 'test',
                 types: Sequence[str] = ('I', 'II'),
                 **kwargs):
        types = [types] if isinstance(types, str) else list(types)
        bad = [t for t in types if t not in RSDD_TYPES]
        if bad or not types:
            raise ValueError(f'RSDDDataset: types must be a non-empty subset '
                             f'of {list(RSDD_TYPES)}, got {types!r}')
        self.types = types
        super().__init__(split=split, **kwargs)

    def describe_source(self) -> str:
        return f'{self.data_root!r} (types {self.types})'

    def list_samples(self) -> List[dict]:
        data_list = []
        for kind in self.types:
            folder = osp.join(self.data_root or '', RSDD_TYPES[kind])
            data_list += self.folder_samples(
                osp.join(folder, IMAGE_DIR),
                osp.join(folder, MASK_DIR),
                self.seg_map_suffix,
                rail_type=kind)
        return data_list

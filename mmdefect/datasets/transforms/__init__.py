from .droplet_aug import DropletAug
from .load_binary_annotations import LoadBinaryAnnotations
from .load_ref_image import LoadRefImageFromFile
from .load_ref_image_from_ndarray import LoadRefImageFromNDArray
from .pack_paired_seg_inputs import PackPairedSegInputs
from .pad_ignore_labels import PadIgnoreLabels
from .paired_transform import PairedTransform

__all__ = [
    'DropletAug', 'LoadBinaryAnnotations', 'LoadRefImageFromFile',
    'LoadRefImageFromNDArray', 'PackPairedSegInputs', 'PadIgnoreLabels',
    'PairedTransform'
]

from .load_ref_image import LoadRefImageFromFile
from .pack_paired_seg_inputs import PackPairedSegInputs
from .paired_transform import PairedTransform

__all__ = ['LoadRefImageFromFile', 'PackPairedSegInputs', 'PairedTransform']

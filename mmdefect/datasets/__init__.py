from .base_paired_dataset import BasePairedDataset
from .transforms import (LoadRefImageFromFile, PackPairedSegInputs,
                         PairedTransform)

__all__ = [
    'BasePairedDataset', 'LoadRefImageFromFile', 'PackPairedSegInputs',
    'PairedTransform'
]

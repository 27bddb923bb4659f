from .base_paired_dataset import BasePairedDataset
from .synlcd import SynLCDDataset
from .transforms import (LoadRefImageFromFile, PackPairedSegInputs,
                         PairedTransform)

__all__ = [
    'BasePairedDataset', 'SynLCDDataset', 'LoadRefImageFromFile', 'PackPairedSegInputs',
    'PairedTransform'
]

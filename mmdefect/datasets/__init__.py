from .base_paired_dataset import BasePairedDataset
from .mvtec_supervised import MVTecSupervisedDataset
from .pcb import PCBDataset
from .synlcd import SynLCDDataset
from .transforms import (LoadRefImageFromFile, PackPairedSegInputs,
                         PairedTransform)

__all__ = [
    'BasePairedDataset', 'LoadRefImageFromFile', 'MVTecSupervisedDataset',
    'PCBDataset', 'PackPairedSegInputs', 'PairedTransform', 'SynLCDDataset'
]

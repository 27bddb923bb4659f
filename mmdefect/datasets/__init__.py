from .base_paired_dataset import BasePairedDataset
from .deeppcb import DeepPCBDataset
from .mvtec_supervised import MVTecSupervisedDataset
from .pcb import PCBDataset
from .synlcd import SynLCDDataset
from .transforms import (LoadRefImageFromFile, PackPairedSegInputs,
                         PairedTransform)

__all__ = [
    'BasePairedDataset', 'DeepPCBDataset', 'LoadRefImageFromFile',
    'MVTecSupervisedDataset', 'PCBDataset', 'PackPairedSegInputs',
    'PairedTransform', 'SynLCDDataset'
]

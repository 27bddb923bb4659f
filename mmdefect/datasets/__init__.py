from .base_anomaly_dataset import BaseAnomalyDataset
from .base_paired_dataset import BasePairedDataset
from .deeppcb import DeepPCBDataset
from .ksdd1 import KSDD1Dataset
from .ksdd2 import KSDD2Dataset
from .mtd import MTDDataset
from .mvtec_supervised import MVTecSupervisedDataset
from .pcb import PCBDataset
from .rsdd import RSDDDataset
from .synlcd import SynLCDDataset
from .synsurface import SynSurfaceDataset
from .transforms import (DropletAug, LoadBinaryAnnotations,
                         LoadRefImageFromFile, LoadRefImageFromNDArray,
                         PackPairedSegInputs, PadIgnoreLabels, PairedTransform)

__all__ = [
    'BaseAnomalyDataset', 'BasePairedDataset', 'DeepPCBDataset', 'DropletAug',
    'KSDD1Dataset', 'KSDD2Dataset', 'LoadBinaryAnnotations',
    'LoadRefImageFromFile', 'LoadRefImageFromNDArray', 'MTDDataset',
    'MVTecSupervisedDataset', 'PCBDataset', 'PackPairedSegInputs',
    'PadIgnoreLabels', 'PairedTransform', 'RSDDDataset', 'SynLCDDataset',
    'SynSurfaceDataset'
]

from .data_preprocessor import PairedSegDataPreProcessor
from .decode_heads import CADHead, CATHead
from .losses import (BalancedContrastiveLoss, FeatureReconstructionLoss,
                     WeightedContrastiveLoss)
from .necks import MSFFPN
from .segmentors import (ClassicalDiffSegmentor, DefectTTAModel,
                         SiameseEncoderDecoder)
from .utils import ChannelAttention, CoordinateAttention, SiameseFeatures

__all__ = [
    'BalancedContrastiveLoss', 'CADHead', 'CATHead', 'ChannelAttention',
    'ClassicalDiffSegmentor', 'CoordinateAttention', 'DefectTTAModel',
    'FeatureReconstructionLoss', 'MSFFPN', 'PairedSegDataPreProcessor',
    'SiameseEncoderDecoder', 'SiameseFeatures', 'WeightedContrastiveLoss'
]

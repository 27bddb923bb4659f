from .data_preprocessor import PairedSegDataPreProcessor
from .decode_heads import CADHead
from .losses import BalancedContrastiveLoss
from .segmentors import SiameseEncoderDecoder
from .utils import ChannelAttention, CoordinateAttention, SiameseFeatures

__all__ = [
    'BalancedContrastiveLoss', 'CADHead', 'ChannelAttention',
    'CoordinateAttention', 'PairedSegDataPreProcessor',
    'SiameseEncoderDecoder', 'SiameseFeatures'
]

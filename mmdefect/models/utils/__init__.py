from .channel_attention import ChannelAttention
from .coordinate_attention import CoordinateAttention
from .reference_features import ReferenceFeatures
from .siamese_features import SiameseFeatures

__all__ = [
    'ChannelAttention', 'CoordinateAttention', 'ReferenceFeatures',
    'SiameseFeatures'
]

from .channel_attention import ChannelAttention
from .coordinate_attention import CoordinateAttention
from .siamese_features import SiameseFeatures

__all__ = ['ChannelAttention', 'CoordinateAttention', 'SiameseFeatures']

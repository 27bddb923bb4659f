from .data_preprocessor import PairedSegDataPreProcessor
from .segmentors import SiameseEncoderDecoder
from .utils import SiameseFeatures

__all__ = [
    'PairedSegDataPreProcessor', 'SiameseEncoderDecoder', 'SiameseFeatures'
]

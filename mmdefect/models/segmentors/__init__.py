from .classical_diff_segmentor import ClassicalDiffSegmentor
from .siamese_encoder_decoder import SiameseEncoderDecoder

__all__ = ['ClassicalDiffSegmentor', 'SiameseEncoderDecoder']

from .classical_diff_segmentor import ClassicalDiffSegmentor
from .defect_tta_model import DefectTTAModel
from .siamese_encoder_decoder import SiameseEncoderDecoder

__all__ = ['ClassicalDiffSegmentor', 'DefectTTAModel', 'SiameseEncoderDecoder']

"""High-level inference APIs."""
from .defect_inferencer import DefectInferencer

__all__ = ['DefectInferencer']

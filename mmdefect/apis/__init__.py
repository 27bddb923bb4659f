"""High-level inference APIs."""
from .defect_inferencer import DefectInferencer
from .pair_result import PairResult

__all__ = ['DefectInferencer', 'PairResult']

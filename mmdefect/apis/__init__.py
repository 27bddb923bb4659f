"""High-level inference APIs."""
from .defect_inferencer import DefectInferencer
from .inferencer_cli import add_inferencer_args, build_inferencer

__all__ = ['DefectInferencer', 'add_inferencer_args', 'build_inferencer']

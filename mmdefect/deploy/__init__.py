"""Deployment: ONNX export with pre-/post-processing and its runtime."""
from .export import (ExportError, export_model, load_model, model_family,
                     require_module)
from .export_module import DefectExportModule
from .metadata import decode_metadata, encode_metadata
from .ort_inferencer import OrtDefectInferencer
from .ort_runner import OrtRunner, import_onnxruntime

__all__ = [
    'DefectExportModule', 'ExportError', 'OrtDefectInferencer', 'OrtRunner',
    'decode_metadata',
    'encode_metadata', 'export_model', 'import_onnxruntime', 'load_model',
    'model_family', 'require_module'
]

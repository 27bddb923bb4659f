from .cad_head import CADHead

__all__ = ['CADHead']

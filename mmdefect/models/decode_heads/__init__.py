from .cad_head import CADHead
from .cat_head import CATHead

__all__ = ['CADHead', 'CATHead']

"""Data-set rules as plain functions (no registry, no torch), one module
per data set: :mod:`.deeppcb`."""
from . import deeppcb

__all__ = ['deeppcb']

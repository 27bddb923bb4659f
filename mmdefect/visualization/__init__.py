from .paired_seg_local_visualizer import PairedSegLocalVisualizer

__all__ = ['PairedSegLocalVisualizer']

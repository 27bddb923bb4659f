from .toy_pairs import make_toy_paired_dataset

__all__ = ['make_toy_paired_dataset']

from .balanced_contrastive_loss import BalancedContrastiveLoss

__all__ = ['BalancedContrastiveLoss']

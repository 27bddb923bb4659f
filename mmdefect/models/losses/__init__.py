from .balanced_contrastive_loss import BalancedContrastiveLoss
from .feature_reconstruction_loss import FeatureReconstructionLoss
from .weighted_contrastive_loss import WeightedContrastiveLoss

__all__ = [
    'BalancedContrastiveLoss', 'FeatureReconstructionLoss',
    'WeightedContrastiveLoss'
]

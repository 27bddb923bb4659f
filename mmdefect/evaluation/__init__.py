from .metrics import AnomalyMetric
from .thresholds import f1_optimal_threshold, quantile_threshold

__all__ = ['AnomalyMetric', 'f1_optimal_threshold', 'quantile_threshold']

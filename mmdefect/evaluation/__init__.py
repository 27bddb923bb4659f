from .metrics import AnomalyMetric, DefectIoUMetric
from .thresholds import f1_optimal_threshold, quantile_threshold

__all__ = ['AnomalyMetric', 'DefectIoUMetric', 'f1_optimal_threshold', 'quantile_threshold']

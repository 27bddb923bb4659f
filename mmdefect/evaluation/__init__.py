from .metrics import AnomalyMetric, DeepPCBDetectionMetric, DefectIoUMetric
from .thresholds import f1_optimal_threshold, quantile_threshold

__all__ = [
    'AnomalyMetric', 'DeepPCBDetectionMetric', 'DefectIoUMetric',
    'f1_optimal_threshold', 'quantile_threshold'
]

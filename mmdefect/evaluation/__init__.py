from .metrics import AnomalyMetric, DeepPCBDetectionMetric, DefectIoUMetric
from .model_evaluation import anomaly_metric_options, evaluate_split
from .score_rule import ScoreRule
from .threshold_record import (read_threshold, recorded_rule,
                               threshold_info, write_threshold_checkpoint)
from .thresholds import f1_optimal_threshold, quantile_threshold

__all__ = [
    'AnomalyMetric', 'DeepPCBDetectionMetric', 'DefectIoUMetric', 'ScoreRule',
    'anomaly_metric_options', 'evaluate_split', 'f1_optimal_threshold',
    'quantile_threshold', 'read_threshold', 'recorded_rule', 'threshold_info',
    'write_threshold_checkpoint'
]

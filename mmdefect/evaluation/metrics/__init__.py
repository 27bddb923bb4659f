from .anomaly_metric import AnomalyMetric
from .defect_iou_metric import DefectIoUMetric

__all__ = ['AnomalyMetric', 'DefectIoUMetric']

from .anomaly_metric import AnomalyMetric
from .deeppcb_detection_metric import DeepPCBDetectionMetric
from .defect_iou_metric import DefectIoUMetric

__all__ = ['AnomalyMetric', 'DeepPCBDetectionMetric', 'DefectIoUMetric']

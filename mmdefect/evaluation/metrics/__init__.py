from .anomaly_metric import AnomalyMetric

__all__ = ['AnomalyMetric']

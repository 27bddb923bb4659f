"""Threshold calibration for anomaly maps.

Convention everywhere in mmdefect: a pixel (or image) is predicted
defective when ``score >= threshold``.

* :func:`quantile_threshold` needs only defect-free validation images: it
  returns the ``q``-quantile of their pixel scores, so roughly a fraction
  ``1 - q`` of normal pixels is flagged (a target false-positive rate).
* :func:`f1_optimal_threshold` needs labelled validation data: it returns
  the threshold maximising the pixel F1 score, the same rule
  :class:`~mmdefect.evaluation.metrics.anomaly_metric.AnomalyMetric` uses
  for its ``threshold`` key.
"""
import warnings
from typing import Sequence, Tuple, Union

import numpy as np

from .functional.binned_roc import counts_from_scores, f1_max_from_counts

ArrayOrArrays = Union[np.ndarray, Sequence[np.ndarray]]


def quantile_threshold(normal_scores: ArrayOrArrays,
                       q: float = 0.99,
                       method: str = 'linear') -> float:
    """Quantile of the pixel scores of defect-free images.

    Args:
        normal_scores (np.ndarray | Sequence[np.ndarray]): Scores of
            defect-free pixels, one array or a sequence of arrays of any
            shapes (e.g. one anomaly map per image).
        q (float): Quantile in ``[0, 1]``; ``1 - q`` is the approximate
            pixel false-positive rate on normal data.
        method (str): Interpolation passed to ``np.quantile``.

    Returns:
        float: The threshold.
    """
    if not 0.0 <= q <= 1.0:
        raise ValueError(f'q must be in [0, 1], got {q}')
    scores = _flatten(normal_scores)
    if scores.size == 0:
        raise ValueError('quantile_threshold got no normal scores')
    if np.isnan(scores).any():
        raise ValueError('quantile_threshold got NaN scores')
    return float(np.quantile(scores, q, method=method))


def f1_optimal_threshold(scores: ArrayOrArrays,
                         labels: ArrayOrArrays) -> Tuple[float, float]:
    """Threshold maximising the F1 score on labelled data (exact).

    Args:
        scores (np.ndarray | Sequence[np.ndarray]): Scores.
        labels (np.ndarray | Sequence[np.ndarray]): Binary labels matching
            ``scores`` element for element (non-zero = defect).

    Returns:
        tuple[float, float]: ``(threshold, f1)``. The threshold is one of
        the observed scores (the highest one attaining the maximal F1).
        Without any positive the F1 is undefined: a warning is issued and
        ``(nextafter(max score, inf), nan)`` is returned, a threshold that
        flags nothing.
    """
    flat_scores, flat_labels = _flatten(scores), _flatten(labels)
    if flat_scores.shape != flat_labels.shape:
        raise ValueError('scores and labels differ in size: '
                         f'{flat_scores.size} vs {flat_labels.size}')
    if flat_scores.size == 0:
        raise ValueError('f1_optimal_threshold got no scores')
    if np.isnan(flat_scores).any():
        raise ValueError('f1_optimal_threshold got NaN scores')
    values, pos, neg = counts_from_scores(flat_scores, flat_labels)
    f1, index = f1_max_from_counts(pos, neg)
    if index is None:
        warnings.warn('f1_optimal_threshold: no positive (defect) sample, '
                      'F1 is undefined; returning a threshold above the '
                      'maximum score')
        return float(np.nextafter(values[-1], np.inf)), float('nan')
    return float(values[index]), f1


def _flatten(arrays: ArrayOrArrays) -> np.ndarray:
    if isinstance(arrays, np.ndarray):
        return arrays.astype(np.float64).ravel()
    parts = [np.asarray(a, dtype=np.float64).ravel() for a in arrays]
    return np.concatenate(parts) if parts else np.zeros(0)

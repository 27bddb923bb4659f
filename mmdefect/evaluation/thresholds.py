"""Threshold calibration from per-bin counts (and from score arrays).

Convention everywhere in mmdefect: a pixel (or image) is predicted
defective when ``score >= threshold``. Every threshold here is the lower
edge ``e`` of a bin, so the confusion counts of ``score >= e`` are exactly
those of the bins at or above it (see :mod:`.functional.binning`).

* **Normal-data quantile** (the bin from
  :func:`.functional.quantile_index_from_counts`): the lower edge of the
  bin holding the inverted-CDF ``q``-quantile of the scores of defect-free
  data. With one bin per distinct value (the
  ``'exact'`` binning, or image scores) it *is*
  ``np.quantile(scores, q, method='inverted_cdf')``: the smallest score
  ``t`` with ``#(scores <= t) >= q * n``; at most a fraction ``1 - q`` of
  the normal scores is above it (those equal to it are flagged too). With
  coarser bins the exact quantile lies in ``[e, next edge)``: the
  resolution is that of the binning.
* **F1-optimal** (:func:`f1_threshold_from_counts`): the lower edge of the
  bin maximising F1 (the highest one on ties), exact for the reported
  threshold. **Without any defect** F1 is undefined (anomalib's
  ``F1AdaptiveThreshold`` then silently returns the minimum score, which
  flags everything): here a warning is issued and the fallback is
  ``above_max``, a threshold just above the highest score, which flags no
  calibration sample (every such threshold attains the F1 limit of a
  defect-free split, zero false positives).

:func:`quantile_threshold` and :func:`f1_optimal_threshold` apply the same
rules to score arrays (exact, one bin per distinct value).
"""
import warnings
from typing import Sequence, Tuple, Union

import numpy as np

from .functional.binned_roc import (counts_from_scores, f1_max_from_counts,
                                    quantile_index_from_counts)

ArrayOrArrays = Union[np.ndarray, Sequence[np.ndarray]]


def f1_threshold_from_counts(edges: np.ndarray,
                             pos: np.ndarray,
                             neg: np.ndarray,
                             above_max: float,
                             what: str = 'scores') -> Tuple[float, float]:
    """Threshold maximising F1 over the bin edges.

    Args:
        edges (np.ndarray): Lower edge of every bin (ascending).
        pos (np.ndarray): Defect samples per bin.
        neg (np.ndarray): Defect-free samples per bin.
        above_max (float): The fallback without defects: a threshold above
            every sample (e.g. the upper edge of the highest occupied bin).
        what (str): What is thresholded, for the warning.

    Returns:
        tuple[float, float]: ``(threshold, f1)``; ``(above_max, nan)``
        with a warning when there is no defect sample.
    """
    f1, index = f1_max_from_counts(pos, neg)
    if index is None:
        warnings.warn(
            f'F1-optimal threshold of the {what}: there is no defect sample, '
            f'so F1 is undefined; falling back to {above_max!r}, just above '
            'the highest score (it flags none of the calibration samples). '
            'Calibrate on data with defects, or use the normal-data '
            'quantile')
        return float(above_max), float('nan')
    return float(np.asarray(edges, dtype=np.float64)[index]), f1


def quantile_threshold(normal_scores: ArrayOrArrays, q: float = 0.99) -> float:
    """Inverted-CDF ``q``-quantile of the scores of defect-free data.

    Equals ``np.quantile(scores, q, method='inverted_cdf')`` (see the
    module docstring for the rule).

    Args:
        normal_scores (np.ndarray | Sequence[np.ndarray]): Scores of
            defect-free samples, one array or a sequence of arrays.
        q (float): Quantile in ``[0, 1]``.

    Returns:
        float: The threshold.
    """
    scores = _flatten(normal_scores, 'quantile_threshold')
    values, _, neg = counts_from_scores(scores, np.zeros(scores.shape, bool))
    return float(values[quantile_index_from_counts(neg, q)])


def f1_optimal_threshold(scores: ArrayOrArrays,
                         labels: ArrayOrArrays,
                         what: str = 'scores') -> Tuple[float, float]:
    """Threshold maximising the F1 score on labelled data (exact).

    Args:
        scores (np.ndarray | Sequence[np.ndarray]): Scores.
        labels (np.ndarray | Sequence[np.ndarray]): Binary labels matching
            ``scores`` element for element (non-zero = defect).
        what (str): What is thresholded, for the warning.

    Returns:
        tuple[float, float]: ``(threshold, f1)``; the threshold is one of
        the scores (the highest attaining the maximal F1). Without any
        defect: ``(nextafter(max score, inf), nan)`` and a warning.
    """
    flat_scores = _flatten(scores, 'f1_optimal_threshold')
    flat_labels = _flatten(labels, 'f1_optimal_threshold', check=False)
    if flat_scores.shape != flat_labels.shape:
        raise ValueError('scores and labels differ in size: '
                         f'{flat_scores.size} vs {flat_labels.size}')
    values, pos, neg = counts_from_scores(flat_scores, flat_labels)
    return f1_threshold_from_counts(values, pos, neg,
                                    float(np.nextafter(values[-1], np.inf)),
                                    what)


def _flatten(arrays: ArrayOrArrays, where: str,
             check: bool = True) -> np.ndarray:
    if isinstance(arrays, np.ndarray):
        flat = arrays.astype(np.float64).ravel()
    else:
        parts = [np.asarray(a, dtype=np.float64).ravel() for a in arrays]
        flat = np.concatenate(parts) if parts else np.zeros(0)
    if check and flat.size == 0:
        raise ValueError(f'{where} got no scores')
    if check and np.isnan(flat).any():
        raise ValueError(f'{where} got NaN scores')
    return flat

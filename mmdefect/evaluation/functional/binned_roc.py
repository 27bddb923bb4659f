"""ROC / precision-recall summaries from per-bin positive/negative counts.

All functions take counts aligned to bins sorted by *ascending* score and
sweep the decision threshold downwards over the bins, predicting "defect"
for every sample whose bin is at or above the threshold bin. With one bin
per distinct score (see :func:`counts_from_scores`) the results equal
scikit-learn's ``roc_auc_score`` and ``average_precision_score``; with
coarser bins the points of the curves are still exact points of the true
curves (see :mod:`.binning`), only fewer of them, and
:func:`auroc_discretisation_bound` / :func:`ap_discretisation_bound` bound
the resulting error.
"""
from typing import Optional, Tuple

import numpy as np


def counts_from_scores(
        scores: np.ndarray,
        labels: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact per-distinct-score counts.

    Args:
        scores (np.ndarray): Scores, any shape.
        labels (np.ndarray): Binary labels, same shape (non-zero = positive).

    Returns:
        tuple: ``(values, pos, neg)``: ascending distinct scores and the
        number of positives / negatives having each of them.
    """
    scores = np.asarray(scores, dtype=np.float64).ravel()
    labels = np.asarray(labels).ravel() != 0
    if scores.shape != labels.shape:
        raise ValueError(f'scores and labels differ in size: {scores.size} '
                         f'vs {labels.size}')
    values, inverse = np.unique(scores, return_inverse=True)
    pos = np.bincount(inverse, weights=labels, minlength=len(values))
    neg = np.bincount(inverse, weights=~labels, minlength=len(values))
    return values, pos, neg


def roc_from_counts(pos: np.ndarray,
                    neg: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """ROC curve from ascending per-bin counts.

    Args:
        pos (np.ndarray): Positives per bin (ascending score order).
        neg (np.ndarray): Negatives per bin.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``(fpr, tpr)`` for descending
        thresholds, starting at ``(0, 0)`` and ending at ``(1, 1)``. NaN
        arrays if there are no positives or no negatives.
    """
    tp, fp = _descending_cumsum(pos, neg)
    total_pos, total_neg = tp[-1], fp[-1]
    if total_pos <= 0 or total_neg <= 0:
        nan = np.full(len(tp), np.nan)
        return nan, nan
    return fp / total_neg, tp / total_pos


def auroc_from_counts(pos: np.ndarray, neg: np.ndarray) -> float:
    """Area under the ROC curve (trapezoidal; ties count one half).

    Returns:
        float: AUROC, NaN if a class is empty.
    """
    fpr, tpr = roc_from_counts(pos, neg)
    return trapezoid(fpr, tpr)


def average_precision_from_counts(pos: np.ndarray, neg: np.ndarray) -> float:
    """Average precision, ``sum_k (R_k - R_{k-1}) P_k`` (no interpolation).

    This is scikit-learn's ``average_precision_score`` definition.

    Returns:
        float: AP, NaN if there are no positives.
    """
    recall, precision = pr_from_counts(pos, neg)
    if np.isnan(recall).any():
        return float('nan')
    return float(np.sum(np.diff(recall) * precision[1:]))


def pr_from_counts(pos: np.ndarray,
                   neg: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Precision-recall curve from ascending per-bin counts (arguments as
    :func:`roc_from_counts`).

    Returns:
        tuple[np.ndarray, np.ndarray]: ``(recall, precision)`` for
        descending thresholds, starting at recall 0 with precision 1 (no
        prediction) and ending at recall 1; NaN arrays without positives.
    """
    tp, fp = _descending_cumsum(pos, neg)
    if tp[-1] <= 0:
        nan = np.full(len(tp), np.nan)
        return nan, nan
    predicted = tp + fp
    precision = np.divide(
        tp, predicted, out=np.ones_like(tp), where=predicted > 0)
    return tp / tp[-1], precision


def curves_from_counts(pos: np.ndarray, neg: np.ndarray) -> dict:
    """ROC and PR curves with their areas, from ascending per-bin counts.

    Returns:
        dict: ``fpr``, ``tpr`` (:func:`roc_from_counts`), ``recall``,
        ``precision`` (:func:`pr_from_counts`), ``auroc``, ``ap``,
        ``num_pos`` and ``num_neg``.
    """
    fpr, tpr = roc_from_counts(pos, neg)
    recall, precision = pr_from_counts(pos, neg)
    return dict(
        fpr=fpr,
        tpr=tpr,
        recall=recall,
        precision=precision,
        auroc=trapezoid(fpr, tpr),
        ap=average_precision_from_counts(pos, neg),
        num_pos=int(np.sum(pos)),
        num_neg=int(np.sum(neg)))


def quantile_index_from_counts(counts: np.ndarray, q: float) -> int:
    """Bin holding the ``q``-quantile of ascending per-bin counts.

    The inverted-CDF quantile: the first bin ``i`` with ``counts[i] > 0``
    and ``sum(counts[:i + 1]) >= q * sum(counts)``. With one bin per
    distinct value (:func:`counts_from_scores`) the value of that bin is
    ``np.quantile(values, q, method='inverted_cdf')``; with coarser bins
    the exact quantile lies inside that bin.

    Args:
        counts (np.ndarray): Samples per bin (ascending score order).
        q (float): Quantile in ``[0, 1]``.

    Returns:
        int: The bin index.

    Raises:
        ValueError: ``q`` outside ``[0, 1]`` or no samples.
    """
    if not 0.0 <= q <= 1.0:
        raise ValueError(f'q must be in [0, 1], got {q}')
    counts = np.asarray(counts, dtype=np.float64).ravel()
    occupied = np.flatnonzero(counts > 0)
    if occupied.size == 0:
        raise ValueError('a quantile needs at least one sample')
    cumulative = np.cumsum(counts[occupied])
    index = int(np.searchsorted(cumulative, q * cumulative[-1], 'left'))
    return int(occupied[min(index, occupied.size - 1)])


def f1_max_from_counts(pos: np.ndarray,
                       neg: np.ndarray) -> Tuple[float, Optional[int]]:
    """Maximum F1 over the bin thresholds.

    Returns:
        tuple[float, int | None]: the maximal F1 and the index of the
        (ascending) bin whose lower edge attains it (the highest such
        threshold on ties); ``(nan, None)`` without positives.
    """
    tp, fp = _descending_cumsum(pos, neg)
    total_pos = tp[-1]
    if total_pos <= 0:
        return float('nan'), None
    tp, fp = tp[1:], fp[1:]
    f1 = 2 * tp / (tp + fp + total_pos)
    best = int(np.argmax(f1))
    return float(f1[best]), len(tp) - 1 - best


def confusion_at_threshold(edges: np.ndarray, pos: np.ndarray,
                           neg: np.ndarray, threshold: float) -> dict:
    """Confusion counts and F1 of the rule ``score >= threshold``.

    Args:
        edges (np.ndarray): Ascending lower bin edges (``AnomalyMetric``'s
            ``pixel_edges`` or the distinct scores of
            :func:`counts_from_scores`).
        pos (np.ndarray): Positives per bin.
        neg (np.ndarray): Negatives per bin.
        threshold (float): The threshold.

    Returns:
        dict: ``tp``, ``fp``, ``fn``, ``precision``, ``recall``, ``f1``.
        The bins whose lower edge is ``>= threshold`` are flagged: exact
        when every bin holds one distinct score (``'exact'`` binning, or
        :func:`counts_from_scores`) or ``threshold`` is a bin edge;
        otherwise the bin holding the threshold counts as below it.
    """
    edges = np.asarray(edges, dtype=np.float64).ravel()
    pos = np.asarray(pos, dtype=np.float64).ravel()
    neg = np.asarray(neg, dtype=np.float64).ravel()
    if not edges.shape == pos.shape == neg.shape:
        raise ValueError('edges, pos and neg differ in length: '
                         f'{edges.size}, {pos.size}, {neg.size}')
    first = int(np.searchsorted(edges, threshold, side='left'))
    tp, fp = float(pos[first:].sum()), float(neg[first:].sum())
    fn = float(pos.sum()) - tp
    precision = tp / (tp + fp) if tp + fp > 0 else float('nan')
    recall = tp / (tp + fn) if tp + fn > 0 else float('nan')
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fn > 0 else float('nan')
    return dict(tp=tp, fp=fp, fn=fn, precision=precision, recall=recall,
                f1=f1)


def auroc_discretisation_bound(pos: np.ndarray, neg: np.ndarray) -> float:
    """Worst-case |binned AUROC - AUROC of the unbinned scores|.

    Inside one bin the true ROC is a monotone staircase within the box
    spanned by the bin's end points; the chord of the binned curve halves
    that box, so the error is at most ``0.5 * sum_b P_b N_b / (P N)``.
    For exact counts this is the tie term, i.e. not an error.

    Returns:
        float: The bound, NaN if a class is empty.
    """
    fpr, tpr = roc_from_counts(pos, neg)
    return curve_discretisation_bound(fpr, tpr)


def ap_discretisation_bound(pos: np.ndarray, neg: np.ndarray) -> float:
    """Worst-case |binned AP - AP of the unbinned scores|.

    Every positive in bin ``b`` contributes ``1/P`` times its precision.
    Binning gives all of them the bin-end precision; for any order inside
    the bin the true precision lies between the all-negatives-first
    minimum ``(tp0 + 1) / (tp0 + fp0 + n_b + 1)`` and the
    all-positives-first maximum ``(tp0 + p_b) / (tp0 + fp0 + p_b)``, where
    ``tp0, fp0`` are the counts above the bin.

    Returns:
        float: The bound, NaN without positives.
    """
    tp, fp = _descending_cumsum(pos, neg)
    if tp[-1] <= 0:
        return float('nan')
    p_b, n_b = np.diff(tp), np.diff(fp)
    tp0, fp0 = tp[:-1], fp[:-1]
    high = (tp0 + p_b) / np.maximum(tp0 + fp0 + p_b, 1)
    low = (tp0 + 1) / (tp0 + fp0 + n_b + 1)
    spread = np.where(p_b > 0, high - low, 0.0)
    return float(np.sum(p_b * spread) / tp[-1])


def curve_discretisation_bound(x: np.ndarray,
                               y: np.ndarray,
                               x_max: Optional[float] = None) -> float:
    """Worst-case area error of a monotone curve known only at its points.

    Between consecutive points the true (monotone) curve stays inside the
    box they span; the trapezoid is off by at most half the box, or by the
    whole clipped box for the segment crossing ``x_max``.

    Args:
        x (np.ndarray): Non-decreasing abscissae.
        y (np.ndarray): Non-decreasing ordinates.
        x_max (float, optional): Integration limit.

    Returns:
        float: The bound (unnormalised area).
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if np.isnan(x).any() or np.isnan(y).any():
        return float('nan')
    dx, dy = np.diff(x), np.diff(y)
    if x_max is None:
        return float(0.5 * np.sum(dx * dy))
    inside = x[1:] <= x_max
    crossing = (x[:-1] < x_max) & ~inside
    clipped_dx = np.where(crossing, x_max - x[:-1], 0.0)
    return float(0.5 * np.sum(dx[inside] * dy[inside]) +
                 np.sum(clipped_dx * dy))


def trapezoid(x: np.ndarray, y: np.ndarray,
              x_max: Optional[float] = None) -> float:
    """Trapezoidal area under ``y(x)``, optionally up to ``x_max``.

    At ``x_max`` the curve is interpolated linearly between the two
    points bracketing it (the MVTec AD / anomalib convention).

    Args:
        x (np.ndarray): Non-decreasing abscissae.
        y (np.ndarray): Ordinates.
        x_max (float, optional): Upper integration limit.

    Returns:
        float: The area (NaN if any input is NaN).
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if np.isnan(x).any() or np.isnan(y).any():
        return float('nan')
    if x_max is not None:
        inside = int(np.searchsorted(x, x_max, side='right'))
        if inside < len(x) and inside > 0 and x[inside - 1] < x_max:
            x0, x1 = x[inside - 1], x[inside]
            y0, y1 = y[inside - 1], y[inside]
            y_max = y0 + (y1 - y0) * (x_max - x0) / (x1 - x0)
            x = np.append(x[:inside], x_max)
            y = np.append(y[:inside], y_max)
        else:
            x, y = x[:inside], y[:inside]
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) * 0.5))


def _descending_cumsum(pos: np.ndarray,
                       neg: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    pos = np.asarray(pos, dtype=np.float64).ravel()
    neg = np.asarray(neg, dtype=np.float64).ravel()
    if pos.shape != neg.shape:
        raise ValueError(f'pos and neg counts differ in length: {pos.size} '
                         f'vs {neg.size}')
    tp = np.concatenate([[0.0], np.cumsum(pos[::-1])])
    fp = np.concatenate([[0.0], np.cumsum(neg[::-1])])
    return tp, fp

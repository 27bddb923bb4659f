import numpy as np
import pytest

from mmdefect.evaluation.functional.binned_roc import (
    ap_discretisation_bound, auroc_discretisation_bound, auroc_from_counts,
    average_precision_from_counts, counts_from_scores, curves_from_counts,
    f1_max_from_counts, pr_from_counts, quantile_index_from_counts, trapezoid)
from mmdefect.evaluation.functional.binning import float_to_key

sklearn_metrics = pytest.importorskip('sklearn.metrics')


def _data(seed, n=500, decimals=None):
    rng = np.random.default_rng(seed)
    labels = rng.random(n) < 0.3
    scores = rng.normal(size=n) + labels
    if decimals is not None:
        scores = np.round(scores, decimals)
    return scores, labels


@pytest.mark.parametrize('seed,decimals', [(0, None), (1, 1), (2, 0)])
def test_exact_counts_match_sklearn(seed, decimals):
    scores, labels = _data(seed, decimals=decimals)
    _, pos, neg = counts_from_scores(scores, labels)
    assert auroc_from_counts(pos, neg) == pytest.approx(
        sklearn_metrics.roc_auc_score(labels, scores), abs=1e-12)
    assert average_precision_from_counts(pos, neg) == pytest.approx(
        sklearn_metrics.average_precision_score(labels, scores), abs=1e-12)


@pytest.mark.parametrize('bits', [2, 5, 8])
def test_binned_error_within_bound(bits):
    scores, labels = _data(3, n=2000)
    _, pos, neg = counts_from_scores(scores, labels)
    keys = float_to_key(scores, bits)
    _, binned_pos, binned_neg = counts_from_scores(keys, labels)
    auroc_err = abs(
        auroc_from_counts(binned_pos, binned_neg) - auroc_from_counts(
            pos, neg))
    assert auroc_err <= auroc_discretisation_bound(binned_pos,
                                                   binned_neg) + 1e-12
    ap_err = abs(
        average_precision_from_counts(binned_pos, binned_neg) -
        average_precision_from_counts(pos, neg))
    assert ap_err <= ap_discretisation_bound(binned_pos, binned_neg) + 1e-12


def test_f1_max_and_degenerate_counts():
    scores, labels = _data(4, n=200)
    values, pos, neg = counts_from_scores(scores, labels)
    f1, index = f1_max_from_counts(pos, neg)
    pred = scores >= values[index]
    assert f1 == pytest.approx(
        sklearn_metrics.f1_score(labels, pred), abs=1e-12)
    brute = max(2 * np.sum((scores >= t) & labels) /
                (np.sum(scores >= t) + labels.sum()) for t in values)
    assert f1 == pytest.approx(brute, abs=1e-12)
    assert np.isnan(auroc_from_counts([0, 0], [1, 2]))
    assert np.isnan(auroc_from_counts([], []))
    assert np.isnan(average_precision_from_counts([0, 0], [1, 2]))
    assert average_precision_from_counts([1, 2], [0, 0]) == 1.0
    assert f1_max_from_counts([0], [3]) == (pytest.approx(np.nan,
                                                          nan_ok=True), None)
    with pytest.raises(ValueError):
        auroc_from_counts([1, 2], [1])


def test_trapezoid_with_limit():
    x, y = np.array([0, 0.2, 0.5, 1.0]), np.array([0, 0.4, 1.0, 1.0])
    assert trapezoid(x, y) == pytest.approx(0.04 + 0.21 + 0.5)
    # y(0.3) = 0.6 by interpolation.
    assert trapezoid(x, y, 0.3) == pytest.approx(0.04 + 0.1 * 0.5)
    assert trapezoid(x, y, 0.2) == pytest.approx(0.04)
    assert trapezoid(x, y, 2.0) == pytest.approx(trapezoid(x, y))
    assert np.isnan(trapezoid([0, np.nan], [0, 1]))


def test_pr_from_counts_and_curves():
    # ascending bins; descending thresholds give (tp, fp) = (3, 0), (4, 1),
    # (4, 6)
    recall, precision = pr_from_counts([0, 1, 3], [5, 1, 0])
    np.testing.assert_allclose(recall, [0, 0.75, 1, 1])
    np.testing.assert_allclose(precision, [1, 1, 0.8, 4 / 10])
    assert average_precision_from_counts([0, 1, 3], [5, 1, 0]) == \
        pytest.approx(0.75 * 1 + 0.25 * 0.8)
    assert np.isnan(pr_from_counts([0, 0], [1, 2])[0]).all()
    scores, labels = _data(7, n=300)
    values, pos, neg = counts_from_scores(scores, labels)
    summary = curves_from_counts(pos, neg)
    sk_precision, sk_recall, _ = sklearn_metrics.precision_recall_curve(
        labels, scores)
    # sklearn lists the points from the lowest threshold up and stops at
    # full recall; ours go from no prediction down to every sample.
    np.testing.assert_allclose(summary['recall'][1:len(values) + 1],
                               sk_recall[::-1][1:])
    np.testing.assert_allclose(summary['precision'][1:len(values) + 1],
                               sk_precision[::-1][1:])
    assert summary['auroc'] == pytest.approx(
        sklearn_metrics.roc_auc_score(labels, scores), abs=1e-12)
    assert summary['num_pos'] == labels.sum()
    assert summary['num_neg'] == (~labels).sum()


def test_quantile_index_is_numpy_inverted_cdf():
    rng = np.random.default_rng(0)
    for _ in range(500):
        scores = rng.integers(0, 30, rng.integers(1, 60)).astype(np.float64)
        q = rng.choice([rng.random(), 0.0, 1.0,
                        rng.integers(0, scores.size + 1) / scores.size])
        values, _, neg = counts_from_scores(scores, np.zeros(scores.size))
        assert values[quantile_index_from_counts(neg, q)] == np.quantile(
            scores, q, method='inverted_cdf')
    # Empty bins are never chosen, not even for q = 0.
    assert quantile_index_from_counts([0, 0, 2, 0, 3], 0.0) == 2
    assert quantile_index_from_counts([0, 0, 2, 0, 3], 0.4) == 2
    assert quantile_index_from_counts([0, 0, 2, 0, 3], 0.41) == 4
    assert quantile_index_from_counts([0, 0, 2, 0, 3, 0], 1.0) == 4
    for counts, q in [([0, 0], 0.5), ([1, 2], 1.5), ([1], -0.1)]:
        with pytest.raises(ValueError):
            quantile_index_from_counts(counts, q)


def test_confusion_at_threshold_matches_direct_counts():
    from sklearn.metrics import f1_score

    from mmdefect.evaluation.functional.binned_roc import (
        confusion_at_threshold, counts_from_scores)
    rng = np.random.RandomState(3)
    scores = rng.rand(500).astype(np.float32)
    labels = rng.rand(500) < 0.2
    values, pos, neg = counts_from_scores(scores, labels)
    for threshold in (0.0, 0.31, float(values[17]), 0.5, 0.97, 2.0):
        out = confusion_at_threshold(values, pos, neg, threshold)
        flagged = scores >= threshold
        assert out['tp'] == np.sum(flagged & labels)
        assert out['fp'] == np.sum(flagged & ~labels)
        assert out['fn'] == np.sum(~flagged & labels)
        assert out['f1'] == pytest.approx(
            f1_score(labels, flagged, zero_division=0))
    # hand-computed: scores 0.1 (neg), 0.4 (pos), 0.6 (neg), 0.9 (pos)
    out = confusion_at_threshold([0.1, 0.4, 0.6, 0.9], [0, 1, 0, 1],
                                 [1, 0, 1, 0], 0.4)
    assert (out['tp'], out['fp'], out['fn']) == (2, 1, 0)
    assert out['f1'] == pytest.approx(0.8)
    with pytest.raises(ValueError, match='differ in length'):
        confusion_at_threshold([0.1], [1, 0], [0, 1], 0.5)

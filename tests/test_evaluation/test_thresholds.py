import numpy as np
import pytest

from mmdefect.evaluation.thresholds import (f1_optimal_threshold,
                                            f1_threshold_from_counts,
                                            quantile_threshold)


def test_quantile_threshold_is_numpy_inverted_cdf():
    rng = np.random.default_rng(0)
    maps = [rng.random((4, 4)).astype(np.float32) for _ in range(3)]
    flat = np.concatenate([m.ravel() for m in maps])
    for q in (0.0, 0.5, 0.75, 0.9, 47 / 48, 1.0):
        assert quantile_threshold(maps, q) == np.quantile(
            flat, q, method='inverted_cdf')
    assert quantile_threshold(flat, 1.0) == flat.max()
    assert quantile_threshold(flat, 0.0) == flat.min()
    # At most a fraction 1 - q of the normal scores lies above it.
    threshold = quantile_threshold(maps, 0.75)
    assert np.mean(flat > threshold) <= 0.25
    assert np.mean(flat >= threshold) > 0.25
    for bad in [dict(normal_scores=flat, q=1.5),
                dict(normal_scores=[], q=0.5),
                dict(normal_scores=np.array([np.nan]), q=0.5)]:
        with pytest.raises(ValueError):
            quantile_threshold(**bad)


def test_f1_optimal_threshold():
    scores = np.array([0.1, 0.4, 0.35, 0.8, 0.7, 0.2])
    labels = np.array([0, 0, 1, 1, 1, 0])
    threshold, f1 = f1_optimal_threshold(scores, labels)
    # score >= 0.35 flags 0.35, 0.4, 0.7, 0.8: F1 = 6/7; >= 0.7: F1 = 0.8.
    assert threshold == 0.35
    assert f1 == pytest.approx(6 / 7)
    threshold, f1 = f1_optimal_threshold([scores[:3], scores[3:]],
                                         [labels[:3], labels[3:]])
    assert threshold == 0.35
    perfect = f1_optimal_threshold(np.array([0.1, 0.9]), np.array([0, 1]))
    assert perfect == (0.9, 1.0)
    with pytest.raises(ValueError):
        f1_optimal_threshold(scores, labels[:3])


def test_f1_without_defects_falls_back_above_the_maximum_with_warning():
    scores = np.array([0.1, 0.4, 0.35, 0.8, 0.7, 0.2])
    with pytest.warns(UserWarning, match='no defect sample.*falling back.*'
                      'just above the highest score'):
        threshold, f1 = f1_optimal_threshold(scores, np.zeros(6), 'images')
    assert threshold == np.nextafter(0.8, np.inf)
    assert not (scores >= threshold).any()  # not the minimum (anomalib)
    assert np.isnan(f1)
    with pytest.warns(UserWarning, match='of the pixel scores'):
        value, f1 = f1_threshold_from_counts([0.0, 0.5], [0, 0], [3, 4],
                                             above_max=1.0,
                                             what='pixel scores')
    assert value == 1.0 and np.isnan(f1)
    value, f1 = f1_threshold_from_counts([0.0, 0.5], [0, 2], [3, 1], 1.0)
    assert value == 0.5 and f1 == pytest.approx(4 / 5)

import numpy as np
import pytest

from mmdefect.evaluation.thresholds import (f1_optimal_threshold,
                                            quantile_threshold)


def test_quantile_threshold():
    rng = np.random.default_rng(0)
    maps = [rng.random((4, 4)) for _ in range(3)]
    flat = np.concatenate([m.ravel() for m in maps])
    assert quantile_threshold(maps, 0.9) == pytest.approx(
        np.quantile(flat, 0.9))
    assert quantile_threshold(flat, 1.0) == flat.max()
    assert quantile_threshold(flat, 0.5, method='higher') in flat
    threshold = quantile_threshold(maps, 0.75)
    assert np.mean(flat >= threshold) == pytest.approx(0.25, abs=1 / 48)
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
    with pytest.warns(UserWarning, match='no positive'):
        threshold, f1 = f1_optimal_threshold(scores, np.zeros(6))
    assert threshold > scores.max() and not (scores >= threshold).any()
    assert np.isnan(f1)
    with pytest.raises(ValueError):
        f1_optimal_threshold(scores, labels[:3])

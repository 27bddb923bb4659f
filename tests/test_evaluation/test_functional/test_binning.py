import numpy as np
import pytest

from mmdefect.evaluation.functional.binning import (float_to_key,
                                                    key_to_float,
                                                    linear_bin_index,
                                                    linear_edges)


def _scores():
    rng = np.random.default_rng(0)
    return np.concatenate([
        rng.normal(size=300) * 10.0 ** rng.integers(-6, 6, 300),
        [0.0, -0.0, 1.0, -1.0, 1e-42, np.inf, -np.inf, 3e38]
    ]).astype(np.float32)


@pytest.mark.parametrize('bits', [0, 4, 10, 23])
def test_float_keys_monotone_with_exact_edges(bits):
    scores = _scores()
    keys = float_to_key(scores, bits)
    order = np.argsort(scores, kind='stable')
    assert np.all(np.diff(keys[order]) >= 0)
    unique = np.unique(keys)
    edges = key_to_float(unique, bits)
    assert np.all(np.diff(edges) > 0)
    for key, edge in zip(unique, edges):
        np.testing.assert_array_equal(scores >= edge, keys >= key)


def test_float_keys_exact_mode_and_zero():
    scores = _scores()
    keys = float_to_key(scores, 23)
    assert len(np.unique(keys)) == len(np.unique(scores))
    assert float_to_key(np.float32(-0.0)) == float_to_key(np.float32(0.0))
    np.testing.assert_array_equal(
        key_to_float(keys, 23), scores.astype(np.float64))
    # Relative resolution 2**-bits: at 10 bits 1 + 2**-11 shares the bin
    # of 1.0, 1 + 2**-10 does not.
    pair = np.array([1.0, 1.0 + 2**-10, 1.0 + 2**-11], np.float32)
    assert list(np.unique(float_to_key(pair, 10), return_counts=True)[1]) \
        == [2, 1]
    with pytest.raises(ValueError):
        float_to_key(pair, 24)


def test_linear_bins():
    edges = linear_edges((0, 1), 4)
    np.testing.assert_allclose(edges, [0, .25, .5, .75, 1])
    index, clipped = linear_bin_index(
        np.array([-1, 0, 0.2499, 0.25, 0.99, 1.0, 3.0]), edges)
    assert list(index) == [0, 0, 0, 1, 3, 3, 3]
    assert clipped == 2
    scores = np.random.default_rng(0).random(200)
    index, _ = linear_bin_index(scores, edges)
    for i, edge in enumerate(edges[:-1]):
        np.testing.assert_array_equal(scores >= edge, index >= i)
    for bad in [((1, 0), 4), ((0, np.inf), 4), ((0, 1), 0)]:
        with pytest.raises(ValueError):
            linear_edges(*bad)

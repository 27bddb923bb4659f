"""Monotone discretisation of anomaly scores into integer keys.

Every binning here maps a score ``s`` to an integer key ``k(s)`` with two
properties the metrics rely on:

* ``k`` is monotone (non-decreasing) in ``s``;
* every key ``k`` has a lower edge ``e(k)`` such that ``s >= e(k)`` holds
  exactly when ``k(s) >= k``.

Hence a sweep over key thresholds reproduces *exactly* the confusion counts
of the rule ``score >= e(k)``; the only loss of information is that scores
sharing a key cannot be separated from each other.

Two binnings are provided:

* float binning (range-free): the float32 bit pattern is mapped to an
  order-preserving unsigned integer and its lowest ``23 - mantissa_bits``
  mantissa bits are dropped. It needs no score range, so it is safe for
  unnormalised maps, across batches and across ranks (the key of a score
  never depends on other data). Its relative resolution is
  ``2 ** -mantissa_bits``; ``mantissa_bits=23`` is exact at float32
  precision.
* linear binning: ``num_bins`` equal bins over a fixed ``score_range``;
  scores outside the range are clipped into the first/last bin.
"""
from typing import Sequence, Tuple

import numpy as np

FLOAT32_MANTISSA_BITS = 23
_SIGN_BIT = np.uint32(0x80000000)
_EXPONENT_MASK = np.uint32(0x7F800000)
_NEG_INF_BITS = np.uint32(0xFF800000)


def float_to_key(scores: np.ndarray, mantissa_bits: int = 23) -> np.ndarray:
    """Map float scores to monotone integer keys (float binning).

    Args:
        scores (np.ndarray): Scores of any shape. They are cast to float32;
            ``-0.0`` is treated as ``0.0``. NaN is not allowed.
        mantissa_bits (int): Mantissa bits kept, 0..23. 23 keeps every
            distinct float32 value apart.

    Returns:
        np.ndarray: int64 keys in ``[0, 2**(9 + mantissa_bits))``, same
        shape as ``scores``.
    """
    _check_mantissa_bits(mantissa_bits)
    values = np.asarray(scores, dtype=np.float32) + np.float32(0.0)
    bits = values.view(np.uint32)
    negative = (bits & _SIGN_BIT) != 0
    ordered = np.where(negative, ~bits, bits | _SIGN_BIT)
    shift = FLOAT32_MANTISSA_BITS - mantissa_bits
    return (ordered >> np.uint32(shift)).astype(np.int64)


def key_to_float(keys: np.ndarray, mantissa_bits: int = 23) -> np.ndarray:
    """Lower edge of float-binning keys.

    Args:
        keys (np.ndarray): Keys produced by :func:`float_to_key`.
        mantissa_bits (int): The value used to produce the keys.

    Returns:
        np.ndarray: float64 array ``e`` with ``s >= e[i]`` exactly when
        ``float_to_key(s) >= keys[i]`` (``-inf`` for the lowest key).
    """
    _check_mantissa_bits(mantissa_bits)
    shift = FLOAT32_MANTISSA_BITS - mantissa_bits
    ordered = (np.asarray(keys, dtype=np.int64) << shift).astype(np.uint32)
    positive = (ordered & _SIGN_BIT) != 0
    bits = np.where(positive, ordered & ~_SIGN_BIT, ~ordered).astype(np.uint32)
    is_nan = (bits & ~_SIGN_BIT) > _EXPONENT_MASK
    bits = np.where(is_nan, _NEG_INF_BITS, bits).astype(np.uint32)
    return bits.view(np.float32).astype(np.float64)


def linear_edges(score_range: Sequence[float], num_bins: int) -> np.ndarray:
    """Bin edges of the linear binning.

    Args:
        score_range (Sequence[float]): ``(low, high)`` with ``low < high``.
        num_bins (int): Number of bins (>= 1).

    Returns:
        np.ndarray: ``num_bins + 1`` increasing float64 edges.
    """
    low, high = (float(v) for v in score_range)
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(
            f'score_range must be finite with low < high, got {score_range}')
    if int(num_bins) < 1:
        raise ValueError(f'num_bins must be >= 1, got {num_bins}')
    return np.linspace(low, high, int(num_bins) + 1)


def linear_bin_index(scores: np.ndarray,
                     edges: np.ndarray) -> Tuple[np.ndarray, int]:
    """Map scores to linear-bin indices, clipping out-of-range scores.

    Args:
        scores (np.ndarray): Scores of any shape.
        edges (np.ndarray): Output of :func:`linear_edges`.

    Returns:
        tuple[np.ndarray, int]: int64 indices in ``[0, len(edges) - 2]``
        (``scores >= edges[i]`` exactly when the index is ``>= i``, for
        in-range scores) and the number of scores that were clipped
        (strictly below ``edges[0]`` or above ``edges[-1]``).
    """
    values = np.asarray(scores, dtype=np.float64)
    last = len(edges) - 2
    scale = (last + 1) / (edges[-1] - edges[0])
    index = np.clip(np.floor((values - edges[0]) * scale), 0, last)
    index = index.astype(np.int64)
    # Rounding in the line above is at most one bin off; compare with the
    # edges themselves so that ``scores >= edges[i]`` iff ``index >= i``.
    index = np.clip(index - (values < edges[index]), 0, last)
    index = np.clip(index + (values >= edges[index + 1]), 0, last)
    clipped = int(np.count_nonzero(values < edges[0]) +
                  np.count_nonzero(values > edges[-1]))
    return index, clipped


def _check_mantissa_bits(mantissa_bits: int) -> None:
    if not 0 <= int(mantissa_bits) <= FLOAT32_MANTISSA_BITS:
        raise ValueError(
            f'mantissa_bits must be in [0, 23], got {mantissa_bits}')

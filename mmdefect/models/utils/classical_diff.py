"""Rules of the classical template-difference PCB defect detector.

The functions behind :class:`mmdefect.models.ClassicalDiffSegmentor` (its
docstring describes the pipeline step by step): binarisation and the
binarised difference come from :mod:`mmdefect.datasets.functional.deeppcb`
(the rule the DeepPCB label converter uses), registration, local
re-alignment, connected components and the topological type rules are here.
All work on numpy arrays (uint8 images, boolean masks); nothing imports
torch.
"""
from typing import List, Tuple

import cv2
import numpy as np

from mmdefect.datasets.functional.deeppcb import (MOUSEBITE, OPEN, PIN_HOLE,
                                                  SHORT, SPUR, SPURIOUS_COPPER,
                                                  copper_difference,
                                                  copper_mask, open_close)


def _kind(extra: bool) -> str:
    return 'extra' if extra else 'missing'


def _square(size: int) -> np.ndarray:
    return np.ones((size, size), np.uint8)


def _dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Dilate a boolean mask with a (2 * radius + 1) square."""
    if radius <= 0:
        return mask.copy()
    grown = cv2.dilate(mask.astype(np.uint8), _square(2 * radius + 1))
    return grown > 0


def clean_mask(mask: np.ndarray, open_size: int, close_size: int,
               min_area: int) -> np.ndarray:
    """:func:`~mmdefect.datasets.functional.deeppcb.open_close`, then
    removal of 8-connected components smaller than ``min_area``."""
    cleaned = open_close(mask, open_size, close_size).astype(np.uint8)
    num, labels, stats, _ = cv2.connectedComponentsWithStats(
        cleaned, connectivity=8)
    keep = np.zeros(num, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_area
    return keep[labels]


def _count_components(mask: np.ndarray, min_area: int) -> int:
    """Number of 8-connected components of at least ``min_area`` pixels."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8)
    return int(np.count_nonzero(stats[1:, cv2.CC_STAT_AREA] >= min_area))


def _window(stats_row: np.ndarray, margin: int,
            shape: Tuple[int, int]) -> Tuple[slice, slice]:
    """Bounding box of a component grown by ``margin``, clipped to shape."""
    x, y, w, h = (int(v) for v in stats_row[:4])
    return (slice(max(0, y - margin), min(shape[0], y + h + margin)),
            slice(max(0, x - margin), min(shape[1], x + w + margin)))


def _shift_candidates(max_shift: int) -> List[Tuple[int, int]]:
    """Integer shifts with |dy|, |dx| <= max_shift, smallest first."""
    shifts = [(dy, dx) for dy in range(-max_shift, max_shift + 1)
              for dx in range(-max_shift, max_shift + 1)]
    return sorted(shifts, key=lambda s: (abs(s[0]) + abs(s[1]), s))


def register_translation(test_cu: np.ndarray, ref_cu: np.ndarray,
                         max_shift: int) -> np.ndarray:
    """Translate the reference copper onto the test copper.

    The integer shift (|dy|, |dx| <= ``max_shift``) minimising the number of
    disagreeing pixels in the image interior is applied; ties go to the
    smallest shift.  Pixels whose source falls outside the reference take
    the test value (no difference there).
    """
    height, width = test_cu.shape
    max_shift = min(max_shift, (min(height, width) - 1) // 2)
    if max_shift <= 0:
        return ref_cu.copy()
    s = max_shift
    inner = test_cu[s:height - s, s:width - s]
    best_cost, best = None, (0, 0)
    for dy, dx in _shift_candidates(s):
        cost = np.count_nonzero(inner != ref_cu[s + dy:height - s + dy,
                                                s + dx:width - s + dx])
        if best_cost is None or cost < best_cost:
            best_cost, best = cost, (dy, dx)
    dy, dx = best
    aligned = test_cu.copy()
    aligned[max(0, -dy):height - max(0, dy),
            max(0, -dx):width - max(0, dx)] = \
        ref_cu[max(0, dy):height - max(0, -dy),
               max(0, dx):width - max(0, -dx)]
    return aligned


def local_reference(test_win: np.ndarray, ref_padded: np.ndarray, rows: slice,
                    cols: slice, max_shift: int) -> np.ndarray:
    """Reference window, shifted by up to ``max_shift`` pixels, that agrees
    best with the test window (``ref_padded`` is the reference padded by
    ``max_shift`` on every side; ties go to the smallest shift)."""
    best_cost, best = None, None
    for dy, dx in _shift_candidates(max_shift):
        candidate = ref_padded[rows.start + max_shift + dy:rows.stop
                               + max_shift + dy, cols.start + max_shift
                               + dx:cols.stop + max_shift + dx]
        cost = np.count_nonzero(test_win != candidate)
        if best_cost is None or cost < best_cost:
            best_cost, best = cost, candidate
    return best


def refine_candidates(candidates: np.ndarray, test_cu: np.ndarray,
                      ref_padded: np.ndarray, extra: bool,
                      cfg: dict) -> np.ndarray:
    """Re-examine each candidate component after local re-alignment.

    In a window around the component the reference is re-aligned by up to
    ``local_shift`` pixels, the difference is recomputed and cleaned, and
    the recomputed components that overlap the candidate and keep at least
    ``min_area`` pixels replace it.  Slivers caused by local (non-rigid)
    misalignment disappear; the real defect inside a sliver stays.
    """
    shift = cfg['local_shift']
    if shift <= 0:
        return candidates
    refined = np.zeros_like(candidates)
    num, labels, stats, _ = cv2.connectedComponentsWithStats(
        candidates.astype(np.uint8), connectivity=8)
    for idx in range(1, num):
        rows, cols = _window(stats[idx], cfg['window_margin'], test_cu.shape)
        test_win = test_cu[rows, cols]
        ref_win = local_reference(test_win, ref_padded, rows, cols, shift)
        diff = clean_mask(
            copper_difference(test_win, ref_win, _kind(extra)),
            cfg['open_size'], cfg['close_size'], 1)
        _, diff_labels, diff_stats, _ = cv2.connectedComponentsWithStats(
            diff.astype(np.uint8), connectivity=8)
        hits = np.unique(diff_labels[(labels[rows, cols] == idx)
                                     & (diff_labels > 0)])
        hits = hits[diff_stats[hits, cv2.CC_STAT_AREA] >= cfg['min_area']]
        refined[rows, cols] |= np.isin(diff_labels, hits)
    return refined


def classify_extra(blob: np.ndarray, test_win: np.ndarray, ref_win: np.ndarray,
                   touch_radius: int, piece_area: int) -> int:
    """Short, spurious copper or spur for a blob of extra copper.

    Short: the blob, dilated by ``touch_radius``, touches at least two
    distinct reference copper components of the window, or the window holds
    fewer test copper pieces than reference copper pieces (components of at
    least ``piece_area`` pixels: the bridge merged two conductors, even
    where the opening erased its thin middle).  Otherwise spurious copper
    if the blob touches no reference copper, spur if it touches one
    component.
    """
    _, ref_labels = cv2.connectedComponents(
        ref_win.astype(np.uint8), connectivity=8)
    grown = _dilate(blob, touch_radius)
    touched = np.unique(ref_labels[grown & (ref_labels > 0)]).size
    if touched >= 2 or _count_components(test_win, piece_area) < \
            _count_components(ref_win, piece_area):
        return SHORT
    return SPURIOUS_COPPER if touched == 0 else SPUR


def classify_missing(blob: np.ndarray, test_win: np.ndarray,
                     ref_win: np.ndarray, piece_area: int) -> int:
    """Pin-hole, open or mousebite for a blob of missing copper.

    Pin-hole: the test image's non-copper region(s) containing the blob do
    not reach the window border (they are enclosed by test copper).  Open:
    the window holds more test copper pieces than reference copper pieces
    (components of at least ``piece_area`` pixels, so that copper specks
    left inside a ragged mousebite do not count).  Mousebite: otherwise.
    """
    _, bg_labels = cv2.connectedComponents(
        (~test_win).astype(np.uint8), connectivity=8)
    ids = np.unique(bg_labels[blob & (bg_labels > 0)])
    region = np.isin(bg_labels, ids)
    on_border = (
        region[0].any() or region[-1].any() or region[:, 0].any()
        or region[:, -1].any())
    if ids.size and not on_border:
        return PIN_HOLE
    if _count_components(test_win, piece_area) > \
            _count_components(ref_win, piece_area):
        return OPEN
    return MOUSEBITE


def component_confidence(area: int, confidence_area: float) -> float:
    """``0.5 + 0.5 * area / (area + confidence_area)``, in (0.5, 1)."""
    return 0.5 + 0.5 * area / (area + confidence_area)


def detect_defects(test: np.ndarray, ref: np.ndarray,
                   cfg: dict) -> Tuple[np.ndarray, np.ndarray]:
    """Defect label map (uint8, 0 = background, 1-6) and per-pixel
    confidence (float32, 0 on background) of one image pair.

    ``test`` and ``ref`` are uint8 BGR (H, W, 3) or grayscale (H, W) images;
    ``cfg`` holds the detection parameters of
    :class:`~mmdefect.models.ClassicalDiffSegmentor` (its ``cfg``
    attribute).
    """
    test_cu = copper_mask(test, cfg['binary_threshold'], cfg['copper_dark'])
    ref_cu = register_translation(
        test_cu, copper_mask(ref, cfg['binary_threshold'], cfg['copper_dark']),
        cfg['global_shift'])
    shift = cfg['local_shift']
    ref_padded = np.pad(ref_cu, shift, mode='edge')
    labels = np.zeros(test_cu.shape, np.uint8)
    confidence = np.zeros(test_cu.shape, np.float32)
    for extra in (True, False):
        candidates = clean_mask(
            copper_difference(test_cu, ref_cu, _kind(extra)), cfg['open_size'],
            cfg['close_size'], cfg['min_area'])
        defects = refine_candidates(candidates, test_cu, ref_padded, extra,
                                    cfg)
        num, comp, stats, _ = cv2.connectedComponentsWithStats(
            defects.astype(np.uint8), connectivity=8)
        for idx in range(1, num):
            rows, cols = _window(stats[idx], cfg['window_margin'],
                                 test_cu.shape)
            blob = comp[rows, cols] == idx
            test_win = test_cu[rows, cols]
            ref_win = local_reference(test_win, ref_padded, rows, cols, shift)
            if extra:
                cls = classify_extra(blob, test_win, ref_win,
                                     cfg['touch_radius'], cfg['piece_area'])
            else:
                cls = classify_missing(blob, test_win, ref_win,
                                       cfg['piece_area'])
            labels[rows, cols][blob] = cls
            confidence[rows, cols][blob] = component_confidence(
                int(stats[idx, cv2.CC_STAT_AREA]), cfg['confidence_area'])
    return labels, confidence


def label_log_probs(labels: np.ndarray, confidence: np.ndarray,
                    num_classes: int, eps: float) -> np.ndarray:
    """(num_classes, H, W) float32 log of the per-pixel class distribution.

    At a defect pixel of class c with confidence q: p(c) = q, p(0) = 1 - q;
    elsewhere p(0) = 1.  Zero probabilities become ``eps`` (q is clipped to
    [eps, 1 - eps]) and every pixel's distribution is divided by its sum,
    so ``softmax`` of the result gives the distribution back.
    """
    defect = labels > 0
    log_sum = np.where(defect, np.log1p((num_classes - 2) * eps),
                       np.log1p((num_classes - 1) * eps)).astype(np.float32)
    out = np.empty((num_classes, ) + labels.shape, np.float32)
    out[:] = np.float32(np.log(eps)) - log_sum
    rows, cols = np.nonzero(defect)
    conf = np.clip(confidence[rows, cols].astype(np.float64), eps, 1 - eps)
    out[0] = -log_sum
    out[0, rows, cols] = np.log1p(-conf) - log_sum[rows, cols]
    out[labels[rows, cols], rows, cols] = np.log(conf) - log_sum[rows, cols]
    return out

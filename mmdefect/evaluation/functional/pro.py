"""Per-region overlap (PRO) curve and its normalised area (AUPRO).

MVTec AD definition (Bergmann et al., IJCV 2021): the regions are the
connected components of the binary ground truth of every image; for a
threshold ``t`` the PRO is the mean over all regions of the fraction of
the region's pixels with ``score >= t``, and the FPR is the fraction of
all defect-free pixels with ``score >= t``. The curve is swept over
descending thresholds, integrated with the trapezoidal rule up to
``fpr_limit`` (linearly interpolated there) and divided by ``fpr_limit``,
so the result lies in ``[0, 1]``.
"""
from typing import Iterable, Optional, Tuple

import cv2
import numpy as np

from .binned_roc import curve_discretisation_bound, trapezoid


def connected_regions(defect_mask: np.ndarray,
                      connectivity: int = 8) -> Tuple[int, np.ndarray]:
    """Connected components of a binary defect mask (OpenCV).

    Args:
        defect_mask (np.ndarray): (H, W) boolean mask.
        connectivity (int): 4 or 8 (8 matches the MVTec AD evaluation).

    Returns:
        tuple[int, np.ndarray]: number of regions ``R`` and an int32 (H, W)
        map with 0 for background and ``1..R`` for the regions.
    """
    if connectivity not in (4, 8):
        raise ValueError(f'connectivity must be 4 or 8, got {connectivity}')
    mask = np.ascontiguousarray(defect_mask, dtype=np.uint8)
    num_labels, labels = cv2.connectedComponents(
        mask, connectivity=connectivity, ltype=cv2.CV_32S)
    return int(num_labels) - 1, labels


def pro_curve_from_counts(
        neg: np.ndarray, region_weight: np.ndarray,
        num_regions: int) -> Tuple[np.ndarray, np.ndarray]:
    """FPR / PRO curve from ascending per-bin statistics.

    Args:
        neg (np.ndarray): Defect-free pixels per bin.
        region_weight (np.ndarray): Per bin, ``sum_j c_jb / |region_j|``
            where ``c_jb`` is the number of pixels of region ``j`` in bin
            ``b``.
        num_regions (int): Total number of regions ``R``.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``(fpr, pro)`` for descending
        thresholds starting at ``(0, 0)``; NaN arrays without regions or
        without defect-free pixels.
    """
    neg = np.asarray(neg, dtype=np.float64).ravel()
    region_weight = np.asarray(region_weight, dtype=np.float64).ravel()
    if neg.shape != region_weight.shape:
        raise ValueError('neg and region_weight differ in length: '
                         f'{neg.size} vs {region_weight.size}')
    fp = np.concatenate([[0.0], np.cumsum(neg[::-1])])
    overlap = np.concatenate([[0.0], np.cumsum(region_weight[::-1])])
    if num_regions <= 0 or fp[-1] <= 0:
        nan = np.full(len(fp), np.nan)
        return nan, nan
    return fp / fp[-1], np.minimum(overlap / num_regions, 1.0)


def pro_auc(fpr: np.ndarray, pro: np.ndarray, fpr_limit: float = 0.3) -> float:
    """Normalised area under the PRO curve up to ``fpr_limit``.

    Returns:
        float: AUPRO in ``[0, 1]`` (NaN for NaN curves).
    """
    _check_fpr_limit(fpr_limit)
    return trapezoid(fpr, pro, x_max=fpr_limit) / fpr_limit


def pro_discretisation_bound(fpr: np.ndarray,
                             pro: np.ndarray,
                             fpr_limit: float = 0.3) -> float:
    """Worst-case |binned AUPRO - AUPRO of the unbinned scores|.

    Returns:
        float: The bound on the normalised area.
    """
    _check_fpr_limit(fpr_limit)
    return curve_discretisation_bound(fpr, pro, x_max=fpr_limit) / fpr_limit


def compute_pro(anomaly_maps: Iterable[np.ndarray],
                gt_masks: Iterable[np.ndarray],
                fpr_limit: float = 0.3,
                connectivity: int = 8,
                ignore_masks: Optional[Iterable[np.ndarray]] = None) -> float:
    """Exact AUPRO of a (small) set of maps, without binning.

    Args:
        anomaly_maps (Iterable[np.ndarray]): (H, W) score maps.
        gt_masks (Iterable[np.ndarray]): (H, W) masks, non-zero = defect.
        fpr_limit (float): Integration limit on the FPR axis.
        connectivity (int): 4 or 8.
        ignore_masks (Iterable[np.ndarray], optional): (H, W) masks of
            pixels to leave out.

    Returns:
        float: AUPRO in ``[0, 1]``.
    """
    maps, masks = list(anomaly_maps), list(gt_masks)
    ignores = (list(ignore_masks) if ignore_masks is not None else
               [np.zeros(np.shape(m), dtype=bool) for m in masks])
    if not len(maps) == len(masks) == len(ignores):
        raise ValueError('anomaly_maps, gt_masks and ignore_masks must have '
                         'the same length')
    scores, weights, negatives = [], [], []
    num_regions = 0
    for score, mask, ignore in zip(maps, masks, ignores):
        score = np.asarray(score, dtype=np.float64)
        ignore = np.asarray(ignore, dtype=bool)
        defect = (np.asarray(mask) != 0) & ~ignore
        if score.shape != defect.shape:
            raise ValueError(f'map shape {score.shape} does not match mask '
                             f'shape {defect.shape}')
        count, regions = connected_regions(defect, connectivity)
        sizes = np.bincount(regions[defect], minlength=count + 1)
        scores.append(score[~ignore])
        negatives.append(~defect[~ignore])
        weight = np.zeros(score.shape)
        weight[defect] = 1.0 / sizes[regions[defect]]
        weights.append(weight[~ignore])
        num_regions += count
    values, inverse = np.unique(np.concatenate(scores), return_inverse=True)
    neg = np.bincount(inverse, weights=np.concatenate(negatives),
                      minlength=len(values))
    region_weight = np.bincount(inverse, weights=np.concatenate(weights),
                                minlength=len(values))
    fpr, pro = pro_curve_from_counts(neg, region_weight, num_regions)
    return pro_auc(fpr, pro, fpr_limit)


def _check_fpr_limit(fpr_limit: float) -> None:
    if not 0 < fpr_limit <= 1:
        raise ValueError(f'fpr_limit must be in (0, 1], got {fpr_limit}')

"""DeepPCB's detection protocol, and boxes from segmentation masks.

The DeepPCB authors evaluate detections with a modified ICDAR 2015 script
(``evaluation/script.py`` of their repository).  What it computes, and what
this module reproduces (``tests/test_evaluation/test_functional/
test_deeppcb_protocol.py`` runs the script itself on the same detections):

* Boxes are ``x1 y1 x2 y2`` integers; the area of a box is
  ``(x2 - x1) * (y2 - y1)`` (the script builds polygons from the corners).
* Per image, the detections are sorted by decreasing confidence with
  ``np.argsort(-confidences)``; then, for each ground-truth box in file order
  and each detection in that order, an unmatched pair with IoU > 0.33 is
  matched (one-to-one) **whatever the classes**, and the match is correct
  only if the classes are equal.  A wrong-class detection therefore uses up
  the ground-truth box it overlaps.
* ``precision`` = correct / detections, ``recall`` = correct / ground-truth
  boxes, ``hmean`` (the F-score) = 2PR / (P + R), all summed over images.
* ``AP``: all detections of all images ranked together by confidence;
  ``AP = sum over correct detections of (correct so far / rank) / #GT``,
  i.e. the non-interpolated average precision.

The script reports one AP over all classes.  Per-class numbers (``AP``,
precision, recall, F-score of class ``c``) are the same protocol applied to
the ground truth and the detections of class ``c`` only, which is what the
script gives for a class-filtered submission; ``mAP`` is their mean over
the classes present in the ground truth.
"""
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch

from .scores import decide, defect_probability

IOU_THRESHOLD = 0.33


def thresholded_labels(logits, score_thr: Optional[float] = None
                       ) -> np.ndarray:
    """A label map from segmentation logits, with a defect threshold.

    ``score_thr=None`` gives the argmax (mmseg's ``pred_sem_seg``).  With a
    threshold, a pixel is a defect where the shared score layer's defect
    probability ``1 - p(background)``
    (:func:`~mmdefect.evaluation.functional.defect_probability`) is at least
    ``score_thr`` (:func:`~mmdefect.evaluation.functional.decide`), and is
    labelled with its most probable defect class; background elsewhere. A
    threshold trades recall for precision without retraining (the argmax
    is the threshold at which background stops being the most probable
    class, which depends on the number of classes).

    Args:
        logits: ``(C, H, W)`` logits (tensor or array), class 0 background.
        score_thr (float, optional): the defect threshold in ``[0, 1]``.

    Returns:
        np.ndarray: ``(H, W)`` int64 labels.
    """
    logits = torch.as_tensor(logits).float()
    if logits.dim() != 3 or logits.shape[0] < 2:
        raise ValueError(f'thresholded_labels: logits must be (C, H, W) '
                         f'with C >= 2, got shape {tuple(logits.shape)}')
    if score_thr is None:
        return logits.argmax(0).numpy().astype(np.int64)
    if not 0.0 <= float(score_thr) <= 1.0:
        raise ValueError(f'thresholded_labels: score_thr must be in [0, 1], '
                         f'got {score_thr}')
    defect = decide(defect_probability(logits), float(score_thr))
    labels = logits[1:].argmax(0).numpy().astype(np.int64) + 1
    return np.where(defect, labels, 0)


def masks_to_boxes(label_map: np.ndarray,
                   probs: Optional[np.ndarray] = None,
                   margin: int = 10,
                   merge_radius: int = 4,
                   min_area: int = 1,
                   ignore_index: int = 255) -> np.ndarray:
    """Boxes with classes and confidences from a predicted label map.

    The defect pixels (label > 0, ``ignore_index`` excluded) are grouped
    whatever their class, so a blob whose pixels the model split between
    two classes still gives one box: two defect pixels are in the same group
    when they are connected after a dilation of the defect mask by a square
    of side ``2 * merge_radius + 1`` (8-connectivity), i.e. fragments less
    than about ``2 * merge_radius`` pixels apart are one defect.  Each group
    gives a box:

    * class: the most frequent defect label of its pixels (ties: the
      smaller label);
    * confidence: the mean of ``probs[class]`` over its pixels (1 if
      ``probs`` is None);
    * coordinates: the tight bounding box of its (undilated) pixels,
      half-open (``x2 = last column + 1``), widened by ``margin`` pixels on
      every side and clipped to the image.

    The defaults come from DeepPCB's trainval annotations: the boxes
    surround a defect with about 10 px (median per side over 2,255 boxes),
    and one annotated defect often differs from its template in several
    fragments.  With the converter's labels of 300 trainval pairs as
    predictions, (margin, merge_radius) = (10, 0) gives mAP 89.8 and
    F-score 92.7; (10, 4) gives 97.3 and 98.0 (radius 2: 94.2 / 95.9;
    6: 97.1 / 98.0); margin 0 puts only 4 % of the boxes above the
    protocol's IoU of 0.33.

    Args:
        label_map (np.ndarray): (H, W) integer labels.
        probs (np.ndarray, optional): (C, H, W) class probabilities.
        margin (int): pixels added on each side of a tight box.
        merge_radius (int): fragments closer than about twice this are
            merged; 0 = plain connected components.
        min_area (int): groups with fewer defect pixels are dropped.
        ignore_index (int): label treated as background.

    Returns:
        np.ndarray: (N, 6) float64 rows ``x1, y1, x2, y2, confidence,
        class``, in group order (top-to-bottom scan).
    """
    label_map = np.asarray(label_map)
    if label_map.ndim != 2:
        raise ValueError(f'masks_to_boxes: label_map must be (H, W), got '
                         f'shape {label_map.shape}')
    height, width = label_map.shape
    defect = (label_map > 0) & (label_map != ignore_index)
    grouping = defect.astype(np.uint8)
    if merge_radius > 0:
        side = 2 * merge_radius + 1
        grouping = cv2.dilate(grouping, np.ones((side, side), np.uint8))
    num, comp = cv2.connectedComponents(grouping, connectivity=8)
    if num <= 1:
        return np.zeros((0, 6), dtype=np.float64)
    ys, xs = np.nonzero(defect)
    pix_comp = comp[ys, xs].astype(np.int64)
    pix_label = label_map[ys, xs].astype(np.int64)
    num_labels = int(pix_label.max()) + 1
    area = np.bincount(pix_comp, minlength=num)
    votes = np.bincount(
        pix_comp * num_labels + pix_label,
        minlength=num * num_labels).reshape(num, num_labels)
    votes[:, 0] = -1
    classes = votes.argmax(axis=1)
    if probs is None:
        scores = np.ones(num)
    else:
        probs = np.asarray(probs)
        if probs.shape[1:] != label_map.shape or \
                probs.shape[0] < num_labels:
            raise ValueError(
                f'masks_to_boxes: probs of shape {probs.shape} do not fit '
                f'a label map of shape {label_map.shape} with labels up to '
                f'{num_labels - 1}')
        pix_prob = probs[classes[pix_comp], ys, xs]
        scores = np.bincount(pix_comp, weights=pix_prob, minlength=num) / \
            np.maximum(area, 1)
    x_min = np.full(num, width)
    y_min = np.full(num, height)
    x_max = np.full(num, -1)
    y_max = np.full(num, -1)
    np.minimum.at(x_min, pix_comp, xs)
    np.minimum.at(y_min, pix_comp, ys)
    np.maximum.at(x_max, pix_comp, xs)
    np.maximum.at(y_max, pix_comp, ys)
    rows = [(max(0, x_min[idx] - margin), max(0, y_min[idx] - margin),
             min(width, x_max[idx] + 1 + margin),
             min(height, y_max[idx] + 1 + margin), scores[idx], classes[idx])
            for idx in range(1, num) if area[idx] >= max(min_area, 1)]
    return np.asarray(rows, dtype=np.float64).reshape(-1, 6)


def box_iou(gt: np.ndarray, det: np.ndarray) -> np.ndarray:
    """(M, N) IoU of integer boxes, area ``(x2 - x1) * (y2 - y1)``.

    Coordinates are truncated to integers first, as the script does.
    """
    gt = np.trunc(np.asarray(gt, dtype=np.float64)[:, :4])
    det = np.trunc(np.asarray(det, dtype=np.float64)[:, :4])
    ix = np.clip(
        np.minimum(gt[:, None, 2], det[None, :, 2]) -
        np.maximum(gt[:, None, 0], det[None, :, 0]), 0, None)
    iy = np.clip(
        np.minimum(gt[:, None, 3], det[None, :, 3]) -
        np.maximum(gt[:, None, 1], det[None, :, 1]), 0, None)
    inter = ix * iy
    area_gt = (gt[:, 2] - gt[:, 0]) * (gt[:, 3] - gt[:, 1])
    area_det = (det[:, 2] - det[:, 0]) * (det[:, 3] - det[:, 1])
    union = area_gt[:, None] + area_det[None, :] - inter
    with np.errstate(divide='ignore', invalid='ignore'):
        iou = np.where(union > 0, inter / union, 0.0)
    return iou


def match_image(gt: np.ndarray,
                det: np.ndarray,
                iou_thr: float = IOU_THRESHOLD) -> np.ndarray:
    """Correct flags of one image's detections under the DeepPCB protocol.

    Args:
        gt (np.ndarray): (M, 5) ``x1, y1, x2, y2, class``.
        det (np.ndarray): (N, 6) ``x1, y1, x2, y2, confidence, class``,
            already in the script's order (see :func:`sort_detections`).
        iou_thr (float): a pair matches when IoU > ``iou_thr``.

    Returns:
        np.ndarray: (N,) bool, True where the detection is correct.
    """
    correct = np.zeros(len(det), dtype=bool)
    if len(gt) == 0 or len(det) == 0:
        return correct
    iou = box_iou(gt, det)
    gt_used = np.zeros(len(gt), dtype=bool)
    det_used = np.zeros(len(det), dtype=bool)
    for g in range(len(gt)):
        for d in range(len(det)):
            if not gt_used[g] and not det_used[d] and iou[g, d] > iou_thr:
                gt_used[g] = det_used[d] = True
                correct[d] = int(gt[g, 4]) == int(det[d, 5])
    return correct


#: Why a ground-truth box was missed, in :func:`miss_reasons`' order.
MISS_REASONS = ('found', 'wrong class', 'low IoU', 'no detection')


def miss_reasons(gt: np.ndarray,
                 det: np.ndarray,
                 iou_thr: float = IOU_THRESHOLD) -> np.ndarray:
    """What happened to each ground-truth box of one image.

    A diagnosis beside the protocol, not part of it: each box gets the first
    of these that holds, as an index into :data:`MISS_REASONS`:

    0. ``found``: a detection of its class overlaps it by IoU > ``iou_thr``
       (the protocol's one-to-one matching aside: two boxes found by one
       detection both count here);
    1. ``wrong class``: only detections of other classes overlap it that
       much (the box is located, the class is wrong);
    2. ``low IoU``: detections touch it (IoU > 0) but none by more than
       ``iou_thr`` (fragments, merged neighbours, or a box too large);
    3. ``no detection``: nothing touches it.

    Args:
        gt (np.ndarray): (M, 5) ``x1, y1, x2, y2, class``.
        det (np.ndarray): (N, 6) ``x1, y1, x2, y2, confidence, class``.
        iou_thr (float): the protocol's IoU threshold.

    Returns:
        np.ndarray: (M,) int64 reason indices.
    """
    gt = np.asarray(gt, dtype=np.float64).reshape(-1, 5)
    det = np.asarray(det, dtype=np.float64).reshape(-1, 6)
    reasons = np.full(len(gt), 3, dtype=np.int64)
    if len(gt) == 0 or len(det) == 0:
        return reasons
    iou = box_iou(gt, det)
    same = gt[:, None, 4].astype(np.int64) == det[None, :, 5].astype(np.int64)
    reasons[(iou > 0).any(axis=1)] = 2
    reasons[(iou > iou_thr).any(axis=1)] = 1
    reasons[((iou > iou_thr) & same).any(axis=1)] = 0
    return reasons


def sort_detections(det: np.ndarray) -> np.ndarray:
    """Rows by decreasing confidence, ordered as the script orders them."""
    det = np.asarray(det, dtype=np.float64).reshape(-1, 6)
    return det[np.argsort(-det[:, 4])]


def ranked_average_precision(confidences: np.ndarray, correct: np.ndarray,
                             num_gt: int) -> float:
    """The script's ``compute_ap``: non-interpolated AP over a ranking."""
    confidences = np.asarray(confidences, dtype=np.float64)
    if len(confidences) == 0 or num_gt == 0:
        return 0.0
    hits = np.asarray(correct, dtype=bool)[np.argsort(-confidences)]
    ranks = np.flatnonzero(hits) + 1
    return float(np.sum(np.arange(1, len(ranks) + 1) / ranks) / num_gt)


def _evaluate(gts: Sequence[np.ndarray], dets: Sequence[np.ndarray],
              iou_thr: float) -> Dict[str, float]:
    num_gt = num_det = num_correct = 0
    confidences: List[np.ndarray] = []
    flags: List[np.ndarray] = []
    for gt, det in zip(gts, dets):
        det = sort_detections(det)
        correct = match_image(gt, det, iou_thr)
        num_gt += len(gt)
        num_det += len(det)
        num_correct += int(correct.sum())
        confidences.append(det[:, 4])
        flags.append(correct)
    recall = num_correct / num_gt if num_gt else 0.0
    precision = num_correct / num_det if num_det else 0.0
    hmean = 2 * precision * recall / (precision + recall) \
        if precision + recall else 0.0
    ap = ranked_average_precision(
        np.concatenate(confidences) if confidences else np.zeros(0),
        np.concatenate(flags) if flags else np.zeros(0, bool), num_gt)
    return dict(precision=precision, recall=recall, hmean=hmean, AP=ap,
                num_gt=num_gt, num_det=num_det)


def as_box_array(boxes, width: int, name: str,
                 rows: str = 'K') -> np.ndarray:
    """``boxes`` as a float64 (``rows``, ``width``) array.

    An empty input becomes (0, ``width``); any other shape raises a
    ``ValueError`` starting with ``name``.
    """
    array = np.asarray(boxes, dtype=np.float64)
    if array.size == 0:
        array = array.reshape(0, width)
    if array.ndim != 2 or array.shape[1] != width:
        raise ValueError(f'{name} has shape {array.shape}, expected '
                         f'({rows}, {width})')
    return array


def deeppcb_evaluate(gts: Sequence[np.ndarray],
                     dets: Sequence[np.ndarray],
                     class_names: Optional[Sequence[str]] = None,
                     iou_thr: float = IOU_THRESHOLD) -> Dict[str, float]:
    """DeepPCB's protocol over a data set, overall and per class.

    Args:
        gts (Sequence[np.ndarray]): per image, (M, 5) ``x1, y1, x2, y2,
            class`` ground-truth boxes.
        dets (Sequence[np.ndarray]): per image, (N, 6) ``x1, y1, x2, y2,
            confidence, class`` detections.
        class_names (Sequence[str], optional): names of the classes, index
            = class value (index 0, the background, is never a box class).
            Defaults to the class values as strings.
        iou_thr (float): IoU a match must exceed. Defaults to 0.33.

    Returns:
        dict: ``precision``, ``recall``, ``hmean``, ``AP`` (the script's
        numbers), ``num_gt``, ``num_det``, ``mAP`` (mean per-class AP over
        the classes with ground truth; NaN if none) and for each class
        present in the ground truth or the detections ``AP.<name>``,
        ``precision.<name>``, ``recall.<name>``, ``hmean.<name>``.
    """
    if len(gts) != len(dets):
        raise ValueError(f'deeppcb_evaluate: {len(gts)} ground-truth lists '
                         f'but {len(dets)} detection lists')
    gts = [as_box_array(g, 5, f'deeppcb_evaluate: ground truth {idx}')
           for idx, g in enumerate(gts)]
    dets = [as_box_array(d, 6, f'deeppcb_evaluate: detections {idx}')
            for idx, d in enumerate(dets)]
    result = _evaluate(gts, dets, iou_thr)
    present = sorted({int(c) for g in gts for c in g[:, 4]} |
                     {int(c) for d in dets for c in d[:, 5]})
    class_aps = []
    for cls in present:
        name = class_names[cls] if class_names is not None else str(cls)
        per_class = _evaluate([g[g[:, 4] == cls] for g in gts],
                              [d[d[:, 5] == cls] for d in dets], iou_thr)
        for key in ('AP', 'precision', 'recall', 'hmean'):
            result[f'{key}.{name}'] = per_class[key]
        if per_class['num_gt']:
            class_aps.append(per_class['AP'])
    result['mAP'] = float(np.mean(class_aps)) if class_aps else float('nan')
    return result

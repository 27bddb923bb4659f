"""Grid search of the box post-processing of DeepPCB's protocol.

``DeepPCBDetectionMetric`` turns label maps into boxes with four choices:
the defect threshold ``score_thr`` (None = the argmax), ``merge_radius``,
``min_area`` and ``box_margin``.  :func:`search_box_options` scores every
combination on stored predictions with exactly the metric's code path
(:func:`thresholded_labels`, :func:`masks_to_boxes`,
:func:`deeppcb_evaluate`), so the row of a combination equals what the
metric configured with it reports on the same predictions.  Run it on
training pairs (``tools/analysis_tools/tune_deeppcb_boxes.py``), never on
the test split whose numbers are reported.
"""
import itertools
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from .deeppcb_protocol import (IOU_THRESHOLD, deeppcb_evaluate,
                               masks_to_boxes, thresholded_labels)

#: the metric's keys reported per combination (percent)
SEARCH_KEYS = ('mAP', 'AP', 'precision', 'recall', 'hmean')


def _widen(boxes: np.ndarray, margin: int, height: int,
           width: int) -> np.ndarray:
    """Boxes of ``masks_to_boxes(margin=0)`` as ``margin`` would give them
    (each side moved out by ``margin``, clipped to the image)."""
    out = boxes.copy()
    out[:, 0] = np.maximum(0, out[:, 0] - margin)
    out[:, 1] = np.maximum(0, out[:, 1] - margin)
    out[:, 2] = np.minimum(width, out[:, 2] + margin)
    out[:, 3] = np.minimum(height, out[:, 3] + margin)
    return out


def search_box_options(logits: Sequence,
                       gts: Sequence[np.ndarray],
                       score_thrs: Sequence[Optional[float]] = (None, ),
                       merge_radii: Sequence[int] = (4, ),
                       min_areas: Sequence[int] = (1, ),
                       margins: Sequence[int] = (10, ),
                       class_names: Optional[Sequence[str]] = None,
                       iou_thr: float = IOU_THRESHOLD) -> List[Dict]:
    """Score every combination of the box options; best first.

    Args:
        logits (Sequence): per image, ``(C, H, W)`` segmentation logits at
            the original size (``seg_logits`` of the predictions).
        gts (Sequence[np.ndarray]): per image, ``(M, 5)`` ground-truth boxes
            ``x1, y1, x2, y2, class``.
        score_thrs, merge_radii, min_areas, margins: the values to try
            (``None`` in ``score_thrs`` = the argmax label map).
        class_names (Sequence[str], optional): class names for the per-class
            APs.
        iou_thr (float): the protocol's IoU. Defaults to 0.33.

    Returns:
        list[dict]: one row per combination, ``score_thr``,
        ``merge_radius``, ``min_area``, ``box_margin`` and the
        :data:`SEARCH_KEYS` in percent, sorted by mAP, then F-score
        (``hmean``), descending.
    """
    if len(logits) != len(gts):
        raise ValueError(f'search_box_options: {len(logits)} predictions '
                         f'but {len(gts)} ground-truth box sets')
    if not all(len(values) for values in (score_thrs, merge_radii,
                                          min_areas, margins)):
        raise ValueError('search_box_options: every option needs at least '
                         'one value')
    # detections with margin 0 per (score_thr, radius, min_area), per image
    dets: Dict[tuple, List[np.ndarray]] = {}
    sizes = []
    for image_logits in logits:
        image_logits = torch.as_tensor(image_logits).float()
        sizes.append(tuple(image_logits.shape[1:]))
        probs = torch.softmax(image_logits, dim=0).numpy()
        for thr in score_thrs:
            labels = thresholded_labels(image_logits, thr)
            for radius, area in itertools.product(merge_radii, min_areas):
                dets.setdefault((thr, radius, area), []).append(
                    masks_to_boxes(labels, probs, 0, radius, area))
    rows = []
    for (thr, radius, area), per_image in dets.items():
        for margin in margins:
            widened = [
                _widen(d, margin, h, w) for d, (h, w) in zip(per_image, sizes)
            ]
            raw = deeppcb_evaluate(gts, widened, class_names, iou_thr)
            row = dict(
                score_thr=thr,
                merge_radius=radius,
                min_area=area,
                box_margin=margin)
            row.update({key: float(raw[key]) * 100 for key in SEARCH_KEYS})
            rows.append(row)
    rows.sort(key=lambda r: (np.nan_to_num(r['mAP'], nan=-1.0), r['hmean']),
              reverse=True)
    return rows

"""search_box_options: each row equals DeepPCBDetectionMetric configured
with that row's options, on the same predictions."""
import itertools
import math

import numpy as np
import pytest
import torch

from mmdefect.evaluation import DeepPCBDetectionMetric
from mmdefect.evaluation.functional import search_box_options

CLASSES = ('background', 'open', 'short')


def predictions(seed=0, num=3, size=64):
    """Random blobs of two classes, some weak (background the argmax), some
    split in two fragments, with ground truth for about half of them."""
    rng = np.random.default_rng(seed)
    logits, gts = [], []
    for _ in range(num):
        lg = torch.full((3, size, size), -4.0)
        lg[0] = 4.0
        boxes = []
        for _ in range(4):
            y, x = rng.integers(4, size - 14, 2)
            cls = int(rng.integers(1, 3))
            p_def = float(rng.choice([0.45, 0.7, 0.9]))
            split = rng.random() < 0.5
            for dx in ((0, 6) if split else (0, )):
                region = (slice(y, y + 4), slice(x + dx, x + dx + 4))
                lg[0][region] = math.log(1 - p_def)
                lg[cls][region] = math.log(p_def * 0.8)
                lg[3 - cls][region] = math.log(p_def * 0.2)
            if rng.random() < 0.7:
                boxes.append([x - 8, y - 8, x + 18, y + 12, cls])
        logits.append(lg)
        gts.append(np.asarray(boxes, np.float64).reshape(-1, 5))
    return logits, gts


def metric_row(logits, gts, **options):
    metric = DeepPCBDetectionMetric(**options)
    metric.dataset_meta = dict(classes=CLASSES)
    samples = [
        dict(img_path=f'g/{i}_test.jpg', gt_boxes=gt,
             seg_logits=dict(data=lg),
             pred_sem_seg=dict(data=lg.argmax(0, keepdim=True)))
        for i, (lg, gt) in enumerate(zip(logits, gts))
    ]
    metric.process({}, samples)
    return metric.evaluate(len(samples))


def test_every_row_equals_the_metric_with_its_options():
    logits, gts = predictions()
    grid = dict(score_thrs=[None, 0.4, 0.6], merge_radii=[0, 4],
                min_areas=[1, 20], margins=[0, 10])
    rows = search_box_options(logits, gts, class_names=CLASSES, **grid)
    assert len(rows) == 3 * 2 * 2 * 2
    keys = {(r['score_thr'], r['merge_radius'], r['min_area'],
             r['box_margin']) for r in rows}
    assert keys == set(itertools.product(*grid.values()))
    # sorted best first by mAP, then F-score
    order = [(r['mAP'], r['hmean']) for r in rows]
    assert order == sorted(order, reverse=True)
    for row in rows:
        expected = metric_row(logits, gts, score_thr=row['score_thr'],
                              merge_radius=row['merge_radius'],
                              min_area=row['min_area'],
                              box_margin=row['box_margin'])
        for key, name in (('mAP', 'mAP'), ('AP', 'AP'), ('hmean', 'Fscore'),
                          ('precision', 'precision'),
                          ('recall', 'recall')):
            assert round(row[key], 2) == pytest.approx(
                expected[f'DeepPCB/{name}'], abs=0.006), (row, key)
    # the options matter on this data: not every row scores the same
    assert len({round(r['hmean'], 4) for r in rows}) > 3


def test_bad_arguments():
    logits, gts = predictions(num=2)
    with pytest.raises(ValueError, match='2 predictions but 1'):
        search_box_options(logits, gts[:1])
    with pytest.raises(ValueError, match='at least one value'):
        search_box_options(logits, gts, margins=[])

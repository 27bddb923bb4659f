import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmdefect.evaluation import DefectIoUMetric


def sample(pred, gt):
    s = SegDataSample()
    s.pred_sem_seg = PixelData(data=torch.tensor(pred)[None])
    s.gt_sem_seg = PixelData(data=torch.tensor(gt)[None])
    return s.to_dict()


def test_per_class_and_defect_only_means():
    metric = DefectIoUMetric(iou_metrics=['mIoU', 'mFscore'])
    metric.dataset_meta = dict(classes=('background', 'line', 'abpt'))
    gt = [[0, 0, 1, 1], [0, 0, 2, 2]]
    pred = [[0, 0, 1, 0], [0, 2, 2, 2]]
    metric.process([], [sample(pred, gt)])
    out = metric.compute_metrics(metric.results)
    # background: inter 3, union 5 -> 60; line: 1/2 -> 50; abpt: 2/3
    assert out['IoU.background'] == pytest.approx(60.0)
    assert out['IoU.line'] == pytest.approx(50.0)
    assert out['IoU.abpt'] == pytest.approx(66.67)
    assert out['mIoU'] == pytest.approx(np.round((60 + 50 + 200 / 3) / 3, 2))
    assert out['mIoU_defect'] == pytest.approx((50 + 200 / 3) / 2, abs=0.01)
    # F-score of line: precision 1, recall 1/2 -> 2/3
    assert out['Fscore.line'] == pytest.approx(66.67)
    assert 'mFscore_defect' in out and 'aAcc' in out

import math

import torch
from mmengine.structures import PixelData
from mmseg.models import SegTTAModel
from mmseg.structures import SegDataSample
from torch import nn

from mmdefect.models import DefectTTAModel


class _Stub(nn.Module):
    """What the TTA wrapper reads from its module."""

    def __init__(self, out_channels, threshold=0.3):
        super().__init__()
        self.out_channels = out_channels
        self.decode_head = nn.Module()
        self.decode_head.threshold = threshold

    def test_step(self, data):
        return data


def _view(logits, name='a.png'):
    sample = SegDataSample(metainfo=dict(img_path=name, gt_boxes=[[1, 2]]))
    sample.seg_logits = PixelData(data=torch.tensor(logits))
    sample.gt_sem_seg = PixelData(data=torch.zeros(1, 1, 2, dtype=torch.long))
    return sample


def test_merged_scores_are_the_mean_probability():
    # pixel 0: views (0, 0) and (ln 3, 0) -> p = (0.5, 0.5), (0.75, 0.25)
    #          mean (0.625, 0.375): background wins
    # pixel 1: views (0, 2) and (0, -1)  -> p(class 1) = 0.881, 0.269,
    #          mean 0.575: class 1 wins although the last view says 0
    first = [[[0.0, 0.0]], [[0.0, 2.0]]]
    last = [[[math.log(3.0), 0.0]], [[0.0, -1.0]]]
    [merged] = DefectTTAModel(module=_Stub(2)).merge_preds(
        [[_view(first), _view(last)]])
    probs = merged.seg_logits.data.softmax(dim=0)
    p1 = (torch.tensor([0.5, 1 / (1 + math.exp(-2))]) +
          torch.tensor([0.25, 1 / (1 + math.exp(1))])) / 2
    torch.testing.assert_close(probs[1, 0], p1)
    torch.testing.assert_close(probs[0, 0], 1 - p1)
    assert merged.pred_sem_seg.data.tolist() == [[[0, 1]]]
    assert merged.img_path == 'a.png' and merged.gt_boxes == [[1, 2]]
    assert merged.gt_sem_seg.data.shape == (1, 1, 2)


def test_stock_tta_model_keeps_only_the_last_views_logits():
    # the bug DefectTTAModel fixes: the score layer read one view
    first = [[[0.0, 0.0]], [[0.0, 2.0]]]
    last = [[[math.log(3.0), 0.0]], [[0.0, -1.0]]]
    [stock] = SegTTAModel(module=_Stub(2)).merge_preds(
        [[_view(first), _view(last)]])
    assert stock.pred_sem_seg.data.flatten().tolist() == [0, 1]
    torch.testing.assert_close(stock.seg_logits.data, torch.tensor(last))


def test_one_channel_head_keeps_the_mean_sigmoid():
    # p = sigmoid: (0.5, 0.119) and (0.269, 0.5) -> mean (0.385, 0.310);
    # threshold 0.3 -> both pixels defect, threshold 0.35 -> only the first
    views = [_view([[[0.0, -2.0]]]), _view([[[-1.0, 0.0]]])]
    [merged] = DefectTTAModel(module=_Stub(1, 0.3)).merge_preds([views])
    mean = torch.tensor([[[(0.5 + 1 / (1 + math.e)) / 2,
                           (1 / (1 + math.exp(2)) + 0.5) / 2]]])
    torch.testing.assert_close(merged.seg_logits.data.sigmoid(), mean)
    assert merged.pred_sem_seg.data.tolist() == [[[1.0, 1.0]]]
    views = [_view([[[0.0, -2.0]]]), _view([[[-1.0, 0.0]]])]
    [merged] = DefectTTAModel(module=_Stub(1, 0.35)).merge_preds([views])
    assert merged.pred_sem_seg.data.tolist() == [[[1.0, 0.0]]]


def test_certain_views_stay_finite():
    views = [_view([[[100.0]], [[-100.0]]]), _view([[[100.0]], [[-100.0]]])]
    [merged] = DefectTTAModel(module=_Stub(2)).merge_preds([views])
    assert torch.isfinite(merged.seg_logits.data).all()
    assert merged.pred_sem_seg.data.item() == 0


def test_default_runtime_uses_it():
    from mmengine import Config
    cfg = Config.fromfile('configs/_base_/default_runtime.py')
    assert cfg.tta_model == dict(type='DefectTTAModel')

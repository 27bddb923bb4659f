import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmdefect.evaluation.functional.scores import (decide, defect_probability,
                                                   image_score, label_masks,
                                                   score_map, topk_count)


def test_defect_probability_is_one_minus_background_and_keeps_precision():
    logits = torch.randn(3, 5, 6, dtype=torch.float64)
    expected = 1 - torch.softmax(logits, 0)[0]
    prob = defect_probability(logits)
    assert prob.dtype == torch.float32 and prob.shape == (5, 6)
    torch.testing.assert_close(prob.double(), expected, rtol=1e-6, atol=0)
    # p(defect) = e^-30 / (1 + e^-30): 1 - softmax[0] is 0 in float32.
    far = torch.tensor([30.0, 0.0]).view(2, 1, 1)
    assert (1 - torch.softmax(far, 0)[0]).item() == 0.0
    assert defect_probability(far).item() == pytest.approx(
        np.exp(-30) / (1 + np.exp(-30)), rel=1e-6)
    one = torch.tensor([[[0.0, 2.0]]])
    torch.testing.assert_close(defect_probability(one),
                               torch.sigmoid(one[0]))
    batch = torch.randn(2, 3, 4, 4)
    torch.testing.assert_close(defect_probability(batch)[1],
                               defect_probability(batch[1]))


def test_score_map_sources():
    logits = torch.randn(2, 4, 5)
    amap = torch.rand(1, 4, 5)
    sample = SegDataSample()
    sample.seg_logits = PixelData(data=logits)
    from_logits = score_map(sample)
    assert from_logits.dtype == np.float32 and from_logits.shape == (4, 5)
    assert from_logits.flags['C_CONTIGUOUS']
    np.testing.assert_array_equal(from_logits,
                                  defect_probability(logits).numpy())
    sample.anomaly_map = PixelData(data=amap)
    np.testing.assert_array_equal(score_map(sample), amap[0].numpy())
    np.testing.assert_array_equal(score_map(sample, 'seg_logits'),
                                  from_logits)
    as_dict = dict(anomaly_map=dict(data=amap), seg_logits=dict(data=logits))
    np.testing.assert_array_equal(score_map(as_dict, 'auto'),
                                  amap[0].numpy())
    np.testing.assert_array_equal(score_map(dict(anomaly_map=amap[0])),
                                  amap[0].numpy())
    with pytest.raises(KeyError, match="no 'anomaly_map'.*'seg_logits'"):
        score_map(dict(seg_logits=logits), 'anomaly_map')
    with pytest.raises(ValueError, match='score source'):
        score_map(sample, 'logits')
    with pytest.raises(ValueError, match=r'\(C, H, W\)'):
        score_map(dict(seg_logits=logits[0]))
    with pytest.raises(ValueError, match=r'\(1, H, W\) or \(H, W\)'):
        score_map(dict(anomaly_map=torch.rand(2, 4, 5)))
    with pytest.raises(ValueError, match='NaN'):
        score_map(dict(anomaly_map=amap * float('nan')))


def test_image_score_rules():
    scores = np.arange(16, dtype=np.float32).reshape(4, 4)
    assert image_score(scores) == 15.0
    for topk, expected in [(3, 14.0), (0.25, 13.5), (1000, 7.5), (1, 15.0),
                           (1.0, 7.5)]:
        assert image_score(scores, 'topk_mean', topk) == expected
    assert image_score(torch.from_numpy(scores), 'topk_mean', 2) == 14.5
    assert topk_count(16, 0.01) == 1 and topk_count(16, 40) == 16
    for rule, topk in [('mean', 10), ('max', 0), ('max', 1.5),
                       ('topk_mean', True)]:
        with pytest.raises(ValueError):
            image_score(scores, rule, topk)
    with pytest.raises(ValueError, match='empty'):
        image_score(np.zeros(0))


def test_label_masks_and_decide():
    labels = np.array([[0, 1, 2], [255, 0, 3]])
    valid, defect = label_masks(torch.from_numpy(labels)[None])
    np.testing.assert_array_equal(valid, [[1, 1, 1], [0, 1, 1]])
    np.testing.assert_array_equal(defect, [[0, 1, 1], [0, 0, 1]])
    valid, defect = label_masks(labels, ignore_index=2)
    assert not valid[0, 2] and defect[1, 0]
    with pytest.raises(ValueError, match=r'\(H, W\) or \(1, H, W\)'):
        label_masks(np.zeros((2, 2, 2)))
    assert decide(0.5, 0.5) is True and decide(np.float32(0.4), 0.5) is False
    np.testing.assert_array_equal(
        decide(torch.tensor([0.2, 0.5, 0.7]), 0.5), [False, True, True])

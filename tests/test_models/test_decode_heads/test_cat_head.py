import math

import pytest
import torch
import torch.nn.functional as F
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from mmdefect.models import CATHead, SiameseFeatures

CHANNELS = [8, 16, 32]


def feats(n=2, h=32, w=48, channels=CHANNELS):
    return [
        torch.randn(n, c, h // 4 // 2**i, w // 4 // 2**i)
        for i, c in enumerate(channels)
    ]


def label_samples(n, h, w, box=(8, 16, 8, 24)):
    out = []
    for _ in range(n):
        s = SegDataSample()
        lab = torch.zeros(1, h, w, dtype=torch.long)
        lab[0, box[0]:box[1], box[2]:box[3]] = 1
        s.gt_sem_seg = PixelData(data=lab)
        s.set_metainfo(dict(img_shape=(h, w), pad_shape=(h, w),
                            ori_shape=(h, w)))
        out.append(s)
    return out


def test_head_has_no_parameters_and_is_an_anomaly_head():
    head = MODELS.build(dict(type='CATHead', in_channels=CHANNELS))
    assert isinstance(head, CATHead)
    assert head.out_anomaly_map and head.out_channels == 1
    assert head.threshold == 0.5
    assert sum(p.numel() for p in head.parameters()) == 0


def test_identical_features_give_a_zero_map():
    head = CATHead(CHANNELS)
    f = feats()
    amap = head.predict(SiameseFeatures(img=f, ref=[x.clone() for x in f]),
                        [dict(img_shape=(32, 48), pad_shape=(32, 48))], {})
    assert amap.shape == (2, 1, 32, 48)
    assert amap.abs().max() < 1e-5


def test_map_is_the_averaged_cosine_discrepancy():
    head = CATHead(CHANNELS, sigma=0)
    s, t = feats(), feats()
    amap = head.anomaly_map(SiameseFeatures(img=s, ref=t), size=(32, 48))
    expected = sum(
        F.interpolate((1 - F.cosine_similarity(a, b, dim=1))[:, None],
                      size=(32, 48), mode='bilinear', align_corners=False)
        for a, b in zip(s, t)) / 3
    torch.testing.assert_close(amap, expected)
    assert amap.min() >= 0 and amap.max() <= 2
    # forward (tensor mode): the same average at the first scale
    assert head(SiameseFeatures(img=s, ref=t)).shape == (2, 1, 8, 12)


def test_gaussian_smoothing_spreads_a_peak_and_keeps_its_mass():
    head = CATHead(CHANNELS, sigma=2.0)
    amap = torch.zeros(1, 1, 40, 40)
    amap[0, 0, 20, 20] = 1.0
    smooth = head.smooth(amap)
    ksize = 2 * int(4 * 2.0 + 0.5) + 1
    assert ksize == 17
    assert smooth.sum().item() == pytest.approx(1.0, abs=1e-4)
    g = math.exp(-1 / (2 * 2.0**2))
    ratio = (smooth[0, 0, 20, 21] / smooth[0, 0, 20, 20]).item()
    assert ratio == pytest.approx(g, rel=1e-3)
    # kernels larger than the map are shortened, not an error
    assert head.smooth(torch.rand(1, 1, 6, 6)).shape == (1, 1, 6, 6)
    assert CATHead(CHANNELS, sigma=0).smooth(amap) is amap


def test_loss_uses_the_droplet_label():
    head = CATHead(CHANNELS)
    s, t = feats(), feats()
    losses = head.loss(SiameseFeatures(img=s, ref=t),
                       label_samples(2, 32, 48), {})
    assert set(losses) == {'loss_wcl', 'anomaly_gap'}
    expected = head.loss_decode(s, t,
                                torch.stack([x.gt_sem_seg.data[0] for x in
                                             label_samples(2, 32, 48)]))
    torch.testing.assert_close(losses['loss_wcl'], expected)
    rec = CATHead(CHANNELS, loss_decode=[
        dict(type='FeatureReconstructionLoss'),
        dict(type='WeightedContrastiveLoss', loss_weight=0.5)
    ])
    losses = rec.loss(SiameseFeatures(img=s, ref=t),
                      label_samples(2, 32, 48), {})
    assert {'loss_rec', 'loss_wcl'} <= set(losses)


def test_bad_inputs_are_named():
    head = CATHead(CHANNELS)
    with pytest.raises(TypeError, match='SiameseFeatures'):
        head.forward(feats())
    wrong = feats(channels=[8, 16, 24])
    with pytest.raises(ValueError, match="neck's out_channels"):
        head.forward(SiameseFeatures(img=wrong, ref=feats()))
    with pytest.raises(ValueError, match='scale_weights'):
        CATHead(CHANNELS, scale_weights=[1, 2])

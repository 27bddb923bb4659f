import numpy as np
import pytest
from mmcv.transforms import Pad

from mmdefect.datasets.transforms import PadIgnoreLabels


def _sample():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    label = np.zeros((5, 7), np.uint8)
    label[1:3, 4:7] = 1  # a defect touching the right border
    return dict(img=img, gt_seg_map=label, seg_fields=['gt_seg_map'])


def test_reflect_pads_image_but_ignores_labels():
    sample = _sample()
    out = PadIgnoreLabels(
        size=(10, 8), padding_mode='reflect')(
            dict(sample, img=sample['img'].copy()))
    assert out['img'].shape == (8, 10, 3)
    expected = np.pad(sample['img'], ((0, 3), (0, 3), (0, 0)), mode='reflect')
    assert np.array_equal(out['img'], expected)
    label = out['gt_seg_map']
    assert np.array_equal(label[:5, :7], sample['gt_seg_map'])
    assert (label[5:] == 255).all() and (label[:, 7:] == 255).all()
    # mmcv's Pad reflects the defect into the padding
    mmcv_label = Pad(
        size=(10, 8), padding_mode='reflect')(_sample())['gt_seg_map']
    assert (mmcv_label[:, 7:] == 1).any()


@pytest.mark.parametrize('mode', ['constant', 'edge', 'symmetric'])
def test_same_image_as_mmcv_pad(mode):
    ours = PadIgnoreLabels(size=(9, 9), padding_mode=mode)(_sample())
    theirs = Pad(size=(9, 9), padding_mode=mode)(_sample())
    assert np.array_equal(ours['img'], theirs['img'])
    assert (ours['gt_seg_map'][5:] == 255).all()
    if mode == 'constant':
        assert np.array_equal(ours['gt_seg_map'], theirs['gt_seg_map'])
    transform = PadIgnoreLabels(size=(9, 9), padding_mode=mode)
    transform(_sample())
    assert transform.padding_mode == mode

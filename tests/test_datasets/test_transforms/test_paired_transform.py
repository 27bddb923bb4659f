import random

import numpy as np
import pytest
from mmcv.transforms import Compose

from mmdefect.datasets.transforms import PairedTransform


def coded_sample(h=48, w=64):
    """Inspected image whose channels 0/1 encode x/y; the reference has the
    same code with a different channel 2, the label is x // 8."""
    ys, xs = np.mgrid[0:h, 0:w]
    img = np.stack([xs, ys, np.full_like(xs, 10)], -1).astype(np.uint8)
    ref = img.copy()
    ref[..., 2] = 200
    seg = (xs // 8).astype(np.uint8)
    return dict(
        img=img,
        ref_img=ref,
        gt_seg_map=seg,
        seg_fields=['gt_seg_map'],
        img_shape=(h, w),
        ori_shape=(h, w),
        img_path='coded.png')


GEOMETRIC = [
    dict(type='RandomResize', scale=(64, 48), ratio_range=(0.5, 2.0),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size=(32, 32), cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(type='RandomRotate', prob=1.0, degree=30),
    dict(type='Pad', size=(40, 40)),
]


@pytest.mark.parametrize('seed', range(6))
def test_reference_follows_the_inspected_geometry(seed):
    np.random.seed(seed)
    random.seed(seed)
    out = PairedTransform(GEOMETRIC)(coded_sample())
    img, ref = out['img'], out['ref_img']
    assert img.shape == ref.shape == (40, 40, 3)
    # identical code channels mean identical sampling positions
    np.testing.assert_array_equal(img[..., :2], ref[..., :2])
    # channel 2 shows each image kept its own content
    inside = out['gt_seg_map'] != 255
    assert (img[..., 2][inside] <= 10).all()
    assert (ref[..., 2][inside] > 10).any()


@pytest.mark.parametrize('seed', range(4))
def test_label_stays_aligned_with_image(seed):
    np.random.seed(seed)
    transforms = [
        dict(type='RandomCrop', crop_size=(32, 40), cat_max_ratio=0.5),
        dict(type='RandomFlip', prob=0.5),
        dict(type='RandomRotate', prob=1.0, degree=90),
    ]
    out = PairedTransform(transforms)(coded_sample())
    seg, img = out['gt_seg_map'], out['img']
    valid = (seg != 255) & (img[..., 2] == 10)
    agree = (seg[valid] == img[..., 0][valid] // 8).mean()
    assert valid.sum() > 100
    assert agree > 0.9


def test_photometric_outside_touches_inspected_only():
    np.random.seed(0)
    sample = coded_sample()
    ref_before = sample['ref_img'].copy()
    pipeline = Compose([
        dict(type='PairedTransform',
             transforms=[dict(type='RandomFlip', prob=1.0)]),
        dict(type='PhotoMetricDistortion', brightness_delta=60),
    ])
    out = pipeline(sample)
    np.testing.assert_array_equal(out['ref_img'], ref_before[:, ::-1])
    assert not np.array_equal(out['img'], sample['img'][:, ::-1])


def test_photometric_inside_applies_identically():
    np.random.seed(1)
    sample = coded_sample()
    sample['ref_img'] = sample['img'].copy()
    out = PairedTransform([dict(type='PhotoMetricDistortion')])(sample)
    np.testing.assert_array_equal(out['img'], out['ref_img'])
    assert not np.array_equal(out['img'], sample['img'])


def test_random_stream_matches_an_unpaired_run():
    np.random.seed(3)
    random.seed(3)
    Compose(GEOMETRIC)(coded_sample())
    expected = (np.random.random(), random.random())
    np.random.seed(3)
    random.seed(3)
    PairedTransform(GEOMETRIC)(coded_sample())
    assert (np.random.random(), random.random()) == expected


class PrivateRNGFlip:
    """Flips with a private generator PairedTransform cannot replay."""

    def __init__(self):
        self.rng = np.random.default_rng(0)

    def __call__(self, results):
        if self.rng.random() < 0.5:
            results['img'] = results['img'][:, ::-1].copy()
            results['gt_seg_map'] = results['gt_seg_map'][:, ::-1].copy()
        return results


def test_unreplayable_transform_is_reported():
    paired = PairedTransform([PrivateRNGFlip()])
    with pytest.raises(RuntimeError, match='could not replay'):
        for _ in range(20):
            paired(coded_sample())


def test_missing_reference_key_is_named():
    sample = coded_sample()
    del sample['ref_img']
    with pytest.raises(KeyError, match='ref_img'):
        PairedTransform([dict(type='RandomFlip', prob=1.0)])(sample)

import math

import cv2
import numpy as np
import pytest
from mmcv.transforms import Compose
from mmseg.registry import TRANSFORMS

from mmdefect.datasets.transforms import DropletAug

SEEDS = range(40)


def surface(h=96, w=128, seed=0, channels=3):
    """A mid-grey textured surface (changes are visible everywhere)."""
    rng = np.random.default_rng(seed)
    base = rng.integers(110, 140, size=(h // 8, w // 8, channels),
                        dtype=np.uint8)
    img = cv2.resize(base, (w, h), interpolation=cv2.INTER_LINEAR)
    return img.reshape(h, w, channels) if channels > 1 else img.reshape(h, w)


def test_registered():
    aug = TRANSFORMS.build(dict(type='DropletAug', prob=1.0))
    assert isinstance(aug, DropletAug)


@pytest.mark.parametrize('seed', SEEDS)
def test_polygon_geometry(seed):
    aug = DropletAug(seed=seed)
    rng = np.random.RandomState(seed)
    width, height = 128, 96
    poly = aug.sample_polygon(height, width, rng)
    n_p = len(poly['theta'])
    assert 64 <= n_p <= 128
    assert poly['vertices'].shape == (n_p, 2)
    radius, amp = poly['radius'], poly['amplitude']
    assert 10 <= radius <= width / 2
    assert radius / 10 - 1e-9 <= amp <= radius / 2 + 1e-9
    # N(theta) spans [-1, 1] exactly, so r stays within R +- A_n
    assert np.abs(poly['noise']).max() == pytest.approx(1.0)
    assert poly['r'].min() >= radius - amp - 1e-9
    assert poly['r'].max() <= radius + amp + 1e-9
    assert np.isclose(poly['r'] - radius, amp * poly['noise']).all()
    # evenly spaced angles, vertices at r(theta) from the centre
    np.testing.assert_allclose(np.diff(poly['theta']), 2 * math.pi / n_p)
    offsets = poly['vertices'] - np.array(poly['centre'])
    np.testing.assert_allclose(np.hypot(*offsets.T), poly['r'])
    # periodic noise: N(theta + 2 pi) == N(theta), so the contour closes
    # without a seam (the gap after the last vertex is like any other)
    args = (poly['period'], poly['offset'], poly['base'])
    wrapped = aug.perlin_profile(poly['theta'] + 2 * math.pi, *args)
    np.testing.assert_allclose(
        wrapped, aug.perlin_profile(poly['theta'], *args), atol=1e-5)
    verts = np.vstack([poly['vertices'], poly['vertices'][:1]])
    steps = np.hypot(*np.diff(verts, axis=0).T)
    assert steps[-1] <= steps[:-1].max() + 1e-6


def test_radius_bounds_follow_the_image_width():
    aug = DropletAug()
    assert aug.radius_bounds(256) == (10, 128)
    assert aug.radius_bounds(12) == (6, 6)
    assert DropletAug(radius_range=(4, 20)).radius_bounds(256) == (4, 20)


@pytest.mark.parametrize('seed', SEEDS)
def test_mask_is_the_changed_region_up_to_the_rim(seed):
    img = surface(seed=seed)
    aug = DropletAug(seed=seed, num_droplets=(1, 3), radius_range=(6, 40))
    out = aug(dict(img=img.copy()))
    mask = out['droplet_mask']
    assert mask.dtype == np.uint8 and set(np.unique(mask)) <= {0, 1}
    assert out['img'].shape == img.shape and out['img'].dtype == img.dtype
    changed = (out['img'] != img).any(axis=-1)
    if not mask.any():  # droplets entirely off the image
        assert not changed.any()
        return
    # the mask is the polygon itself: one closed region per droplet, and
    # every droplet pixel changed (opacity >= 0.35 of a >= 40 grey offset
    # at >= half the edge alpha)
    assert changed[mask == 1].mean() > 0.99
    # outside, changes only in the blended rim (3 sigma_max + 1 pixels)
    rim = int(math.ceil(3 * aug.edge_sigma_range[1])) + 1
    near = cv2.dilate(mask, np.ones((2 * rim + 1, 2 * rim + 1), np.uint8))
    assert not (changed & (near == 0)).any()
    np.testing.assert_array_equal(out['gt_seg_map'], mask)


@pytest.mark.parametrize('seed', SEEDS)
def test_bright_points_share_is_bounded(seed):
    # flat surface: the film tone is 120 +- 60, so bright points are the
    # only droplet pixels at the highlight level
    img = np.full((128, 128, 3), 120, np.uint8)
    aug = DropletAug(
        seed=seed,
        contrast_range=(60, 60),
        point_prob_range=(1.0, 1.0),  # every candidate accepted
        radius_range=(15, 40))
    out = aug(dict(img=img.copy()))
    mask = out['droplet_mask'] == 1
    bright = (out['img'][..., 0] >= aug.point_level_range[0] - 1) & mask
    assert bright.sum() <= mask.sum() / 16 + 1
    if mask.sum() >= 64:
        assert bright.sum() > 0


def test_bright_points_use_the_paper_probabilities():
    img = np.full((256, 256, 3), 100, np.uint8)
    shares = []
    for seed in range(20):
        aug = DropletAug(seed=seed, radius_range=(60, 60),
                         contrast_range=(50, 50))
        out = aug(dict(img=img.copy()))
        mask = out['droplet_mask'] == 1
        bright = (out['img'][..., 0] >= 214) & mask
        shares.append(bright.sum() / mask.sum())
    shares = np.array(shares)
    # accepted share = p / 16 with p in [0.01, 0.1]
    assert shares.max() <= 0.1 / 16 * 1.5
    assert shares.min() >= 0.01 / 16 * 0.3


def test_reproducible_with_a_seed_and_with_the_global_rng():
    img = surface()
    a = DropletAug(seed=3)(dict(img=img.copy()))
    b = DropletAug(seed=3)(dict(img=img.copy()))
    np.testing.assert_array_equal(a['img'], b['img'])
    np.testing.assert_array_equal(a['droplet_mask'], b['droplet_mask'])
    c = DropletAug(seed=4)(dict(img=img.copy()))
    assert not np.array_equal(a['droplet_mask'], c['droplet_mask'])
    # without a seed: NumPy's global generator (seeded by mmengine)
    np.random.seed(11)
    d = DropletAug()(dict(img=img.copy()))
    np.random.seed(11)
    e = DropletAug()(dict(img=img.copy()))
    np.testing.assert_array_equal(d['img'], e['img'])


def test_reference_untouched_and_existing_label_kept():
    img = surface(seed=1)
    ref = img.copy()
    seg = np.zeros(img.shape[:2], np.uint8)
    seg[:10] = 255  # ignored
    seg[40:44, 40:44] = 2  # an existing defect class
    results = dict(img=img.copy(), ref_img=ref, gt_seg_map=seg.copy(),
                   seg_fields=['gt_seg_map'])
    out = DropletAug(seed=0, num_droplets=3, radius_range=(20, 40))(results)
    assert out['ref_img'] is ref
    np.testing.assert_array_equal(out['ref_img'], img)
    mask = out['droplet_mask']
    assert mask.any()
    gt = out['gt_seg_map']
    np.testing.assert_array_equal(gt[:10], 255)
    np.testing.assert_array_equal(gt[40:44, 40:44], 2)
    untouched = (seg == 0) & (mask == 0)
    assert (gt[untouched] == 0).all()
    assert (gt[(seg == 0) & (mask == 1)] == 1).all()
    assert out['seg_fields'] == ['gt_seg_map']


def test_prob_zero_writes_an_empty_label_and_leaves_the_image():
    img = surface()
    out = DropletAug(prob=0.0, seed=0)(dict(img=img.copy()))
    np.testing.assert_array_equal(out['img'], img)
    assert not out['gt_seg_map'].any() and not out['droplet_mask'].any()
    assert out['seg_fields'] == ['gt_seg_map']


def test_grey_and_float_images():
    grey = surface(channels=1)
    out = DropletAug(seed=2, radius_range=(20, 30))(dict(img=grey.copy()))
    assert out['img'].shape == grey.shape and out['img'].dtype == np.uint8
    assert (out['img'] != grey)[out['droplet_mask'] == 1].mean() > 0.99
    flt = surface().astype(np.float32)
    out = DropletAug(seed=2)(dict(img=flt.copy()))
    assert out['img'].dtype == np.float32
    assert out['img'].min() >= 0 and out['img'].max() <= 255


def test_in_a_paired_pipeline_the_reference_is_the_original(tmp_path):
    img = surface(64, 64)
    path = str(tmp_path / 'a.png')
    cv2.imwrite(path, img)
    pipeline = Compose([
        dict(type='LoadImageFromFile'),
        dict(type='LoadRefImageFromFile'),
        dict(type='PairedTransform',
             transforms=[dict(type='RandomFlip', prob=1.0)]),
        dict(type='DropletAug', seed=0, radius_range=(10, 20)),
        dict(type='PackPairedSegInputs'),
    ])
    packed = pipeline(dict(img_path=path, ref_path=path, seg_fields=[]))
    inputs = packed['inputs'].numpy()
    flipped = img[:, ::-1].transpose(2, 0, 1)
    np.testing.assert_array_equal(inputs[3:], flipped)
    label = packed['data_samples'].gt_sem_seg.data[0].numpy()
    assert label.any()
    assert (inputs[:3] != flipped).any(axis=0)[label == 1].mean() > 0.99


@pytest.mark.parametrize('kwargs, match', [
    (dict(prob=1.5), 'prob'),
    (dict(num_vertices=(2, 3)), 'num_vertices'),
    (dict(num_droplets=(3, 1)), 'num_droplets'),
    (dict(radius_range=(0, 5)), 'radius_range'),
    (dict(amplitude_range='big'), 'amplitude_range'),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DropletAug(**kwargs)


def test_label_of_another_size_is_refused():
    with pytest.raises(ValueError, match='gt_seg_map'):
        DropletAug(seed=0)(dict(img=surface(), gt_seg_map=np.zeros((5, 5),
                                                                  np.uint8),
                                img_path='x.png'))

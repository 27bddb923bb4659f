import cv2
import numpy as np
import pytest

from mmdefect.datasets.synthesis import DEFECT_TYPES, add_defect
from mmdefect.datasets.synthesis.surface_defects import MIN_PIXELS

SEEDS = range(15)


def _flat(value=0.5, shape=(64, 64)):
    return np.full(shape, value, np.float32)


@pytest.mark.parametrize('kind', DEFECT_TYPES)
def test_label_is_where_the_surface_changed(kind):
    """On a flat surface every labelled pixel changed by a visible amount
    and nothing changed beyond the anti-aliased / soft rim of the label."""
    kernel = np.ones((7, 7), np.uint8)
    for seed in SEEDS:
        surface = _flat()
        image, mask, record = add_defect(surface, kind,
                                         np.random.default_rng(seed))
        assert image.dtype == np.float32 and mask.dtype == bool
        assert np.array_equal(surface, _flat())  # input untouched
        change = np.abs(image - surface)
        assert record['type'] == kind
        assert record['pixels'] == int(mask.sum()) >= MIN_PIXELS // 2
        ys, xs = np.nonzero(mask)
        assert record['bbox'] == [xs.min(), ys.min(), xs.max(), ys.max()]
        inside = change[mask]
        if kind == 'stain':
            # the rim of a stain fades out; most of it is clearly visible
            assert np.mean(inside >= 0.02) > 0.9
        else:
            assert inside.min() >= 0.02
        assert inside.mean() >= 0.04
        near = cv2.dilate(mask.astype(np.uint8), kernel).astype(bool)
        assert not change[~near].any()


def test_sign_keeps_defects_visible_on_dark_and_bright_surfaces():
    for seed in SEEDS:
        dark, mask, _ = add_defect(
            _flat(0.1), 'scratch', np.random.default_rng(seed))
        assert (dark[mask] > 0.1).all()
        bright, mask, _ = add_defect(
            _flat(0.9), 'stain', np.random.default_rng(seed))
        assert bright[mask].mean() < 0.9
        crack, mask, _ = add_defect(
            _flat(0.6), 'crack', np.random.default_rng(seed))
        assert (crack[mask] < 0.6).all()


def test_reproducible_and_checked():
    a = add_defect(_flat(), 'pit', np.random.default_rng(4))
    b = add_defect(_flat(), 'pit', np.random.default_rng(4))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert a[2] == b[2]
    with pytest.raises(ValueError, match='scratch'):
        add_defect(_flat(), 'droplet', np.random.default_rng(0))

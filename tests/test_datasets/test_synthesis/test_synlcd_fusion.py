import cv2
import numpy as np

from mmdefect.datasets.synthesis import (ScreenParams, apply_screen_transform,
                                         fuse_defects, fusion_margin,
                                         rasterise_label, render_pattern,
                                         sample_abpt_defects,
                                         sample_line_defects,
                                         sample_screen_params)
from mmdefect.datasets.synthesis.fusion import (BRIGHTNESS_BIASES, CONTRASTS,
                                                ISO_INTENSITIES, OVERLAY_MODES,
                                                RGB_DEVIATIONS)


def test_screen_params_follow_table1():
    seen = dict(brightness=set(), contrast=set(), iso=set(), dev=set())
    for seed in range(400):
        p = sample_screen_params(np.random.default_rng(seed))
        assert p.brightness in BRIGHTNESS_BIASES
        assert p.contrast in CONTRASTS
        assert p.iso_intensity in ISO_INTENSITIES
        assert p.rgb_deviation in RGB_DEVIATIONS
        assert max(abs(v) for v in p.rgb_offset) == p.rgb_deviation
        seen['brightness'].add(p.brightness)
        seen['contrast'].add(p.contrast)
        seen['iso'].add(p.iso_intensity)
        seen['dev'].add(p.rgb_deviation)
    assert seen['brightness'] == set(range(1, 7))
    assert min(seen['contrast']) == 0.5 and max(seen['contrast']) == 1.5
    assert len(seen['contrast']) == 11
    assert min(seen['iso']) == 0.1 and max(seen['iso']) == 1.0
    assert seen['dev'] == set(range(3, 34, 3))


def test_screen_transform_formula_on_flat_grey():
    # A flat grey screen has no luminance spread (so no Poisson luminance
    # noise) and no saturation (so hue noise is invisible): the output is
    # exactly clip(contrast * x + brightness).
    image = np.full((16, 16, 3), 100, np.uint8)
    rng = np.random.default_rng(0)
    for brightness in BRIGHTNESS_BIASES:
        for contrast in CONTRASTS:
            p = ScreenParams(brightness, contrast, 1.0, 0, (0, 0, 0))
            out = apply_screen_transform(image, p, rng)
            expected = np.clip(np.rint(100 * contrast + brightness), 0, 255)
            assert np.abs(out.astype(int) - expected).max() <= 1


def test_screen_transform_rgb_offset():
    image = np.full((32, 32, 3), 100, np.uint8)
    for seed in range(10):
        rng = np.random.default_rng(seed)
        p = sample_screen_params(rng)
        out = apply_screen_transform(image, p, rng).reshape(-1, 3)
        expected = np.clip(
            100 * p.contrast + p.brightness + np.array(p.rgb_offset), 0, 255)
        # hue noise is zero-mean; it only slightly desaturates on average
        assert np.abs(out.mean(axis=0) - expected).max() <= 4


def test_iso_noise_grows_with_intensity():
    image = render_pattern(1, (64, 64))
    noiseless = apply_screen_transform(image,
                                       ScreenParams(3, 1.0, 0.0, 0, (0, 0, 0)),
                                       np.random.default_rng(0)).astype(int)
    spreads = []
    for iso in ISO_INTENSITIES:
        out = apply_screen_transform(image,
                                     ScreenParams(3, 1.0, iso, 0, (0, 0, 0)),
                                     np.random.default_rng(0)).astype(int)
        spreads.append(np.abs(out - noiseless).mean())
    assert all(a < b for a, b in zip(spreads, spreads[1:]))
    assert spreads[0] > 0


def test_fusion_changes_only_near_defects():
    clean = render_pattern(2, (80, 80))
    for seed in range(6):
        rng = np.random.default_rng(seed)
        gray = cv2.cvtColor(clean, cv2.COLOR_BGR2GRAY)
        defects = sample_line_defects(clean.shape, rng) + sample_abpt_defects(
            gray, rng)
        fused, records = fuse_defects(clean, defects, rng)
        assert len(records) == len(defects)
        assert {r['overlay'] for r in records} <= set(OVERLAY_MODES)
        label = rasterise_label(clean.shape, defects)
        margin = fusion_margin(clean.shape)
        near = cv2.dilate((label > 0).astype(np.uint8),
                          np.ones((2 * margin + 1, 2 * margin + 1), np.uint8))
        assert np.array_equal(fused[near == 0], clean[near == 0])

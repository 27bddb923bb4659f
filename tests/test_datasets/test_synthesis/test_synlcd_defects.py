import numpy as np

from mmdefect.datasets.synthesis import (ABPT, LINE, rasterise_label,
                                         render_pattern, sample_abpt_defects,
                                         sample_line_defects)
from mmdefect.datasets.synthesis.defects import (ABPT_DOTS, ABPT_RADII,
                                                 ABPT_THRESHOLDS,
                                                 DEFECT_COLOURS, LINE_AREAS,
                                                 LINE_WIDTHS, OPACITIES,
                                                 edge_points)


def test_line_defects_follow_table1():
    seen_widths = set()
    for seed in range(60):
        rng = np.random.default_rng(seed)
        defects = sample_line_defects((512, 512, 3), rng)
        assert len(defects) in LINE_AREAS
        orientations = {d.params['orientation'] for d in defects}
        assert len(orientations) == 1
        for d in defects:
            assert d.kind == LINE and d.mask.all()
            assert d.colour in DEFECT_COLOURS and d.opacity in OPACITIES
            # 512 px is the paper's resolution: widths are Table 1's values
            assert d.params['width_px'] == d.params['width_ref_px']
            assert d.params['width_ref_px'] in LINE_WIDTHS
            seen_widths.add(d.params['width_px'])
            x0, y0, x1, y1 = d.bbox
            if d.params['orientation'] == 'vertical':
                assert (y0, y1) == (0, 512) and x1 - x0 == d.params['width_px']
            else:
                assert (x0, x1) == (0, 512) and y1 - y0 == d.params['width_px']
    assert min(seen_widths) >= 3 and max(seen_widths) <= 33


def test_line_widths_scale_with_size():
    for seed in range(20):
        for d in sample_line_defects((64, 64), np.random.default_rng(seed)):
            assert 1 <= d.params['width_px'] <= 5
            assert 0 <= d.bbox[0] < d.bbox[2] <= 64
            assert 0 <= d.bbox[1] < d.bbox[3] <= 64


def test_abpt_defects_sit_on_threshold_edges():
    gray = render_pattern(4, (96, 96)).mean(axis=2).astype(np.uint8)
    for seed in range(10):
        defects = sample_abpt_defects(gray, np.random.default_rng(seed))
        assert defects
        for d in defects:
            assert d.kind == ABPT and d.mask.any()
            assert d.params['threshold'] in ABPT_THRESHOLDS
            assert 1 <= d.params['dots'] <= ABPT_DOTS[1]
            assert ABPT_RADII[0] <= d.params['radius_ref_px'] <= ABPT_RADII[1]
            assert d.colour in DEFECT_COLOURS and d.opacity in OPACITIES
        # every blob is centred on edge points of its threshold
        label = rasterise_label(gray.shape, defects)
        edges = edge_points(gray, defects[0].params['threshold'])
        edge_map = np.zeros(gray.shape, bool)
        edge_map[edges[:, 1], edges[:, 0]] = True
        assert (label == ABPT)[edge_map].any()


def test_abpt_is_deterministic_and_handles_flat_images():
    gray = render_pattern(3, (64, 64)).mean(axis=2).astype(np.uint8)
    a = sample_abpt_defects(gray, np.random.default_rng(5))
    b = sample_abpt_defects(gray, np.random.default_rng(5), edge_cache={})
    assert [d.bbox for d in a] == [d.bbox for d in b]
    assert all(np.array_equal(x.mask, y.mask) for x, y in zip(a, b))
    flat = np.full((32, 32), 128, np.uint8)
    assert sample_abpt_defects(flat, np.random.default_rng(0))


def test_rasterise_label_abpt_over_line():
    rng = np.random.default_rng(0)
    lines = sample_line_defects((64, 64), rng)
    gray = render_pattern(0, (64, 64)).mean(axis=2).astype(np.uint8)
    abpts = sample_abpt_defects(gray, rng)
    label = rasterise_label((64, 64), lines + abpts)
    assert set(np.unique(label)) <= {0, 1, 2}
    for d in abpts:
        x0, y0, x1, y1 = d.bbox
        assert (label[y0:y1, x0:x1][d.mask] == ABPT).all()

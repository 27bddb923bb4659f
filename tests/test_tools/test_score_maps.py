"""tools/benchmarks/score_maps.py: AnomalyMetric on an npz of maps and
masks, checked against hand-computed values and scikit-learn; bad files
give errors naming them; outputs are never overwritten."""
import json
import os.path as osp
import runpy

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from mmdefect.testing import REPO_ROOT, run_tool

TOOL = osp.join(REPO_ROOT, 'tools', 'benchmarks', 'score_maps.py')


@pytest.fixture(scope='module')
def tool():
    return runpy.run_path(TOOL)


def save(path, maps, masks, **extra):
    np.savez(path, maps=maps, masks=masks, **extra)
    return str(path)


def perfect_case(num=6, size=16, seed=0):
    """Half the images with a square defect; the map is the label."""
    rng = np.random.default_rng(seed)
    masks = np.zeros((num, size, size), np.uint8)
    for idx in range(1, num, 2):
        y, x = rng.integers(0, size - 4, 2)
        masks[idx, y:y + 4, x:x + 4] = 1
    return masks.astype(np.float32), masks


def test_perfect_maps_score_one(tool, tmp_path):
    maps, masks = perfect_case()
    record = tool['main'](
        [save(tmp_path / 'p.npz', maps, masks), '--binning', 'exact'])
    metrics = record['metrics']
    for key in ('image_AUROC', 'pixel_AUROC', 'PRO', 'AP_det', 'AP_loc',
                'F1_max'):
        assert metrics[key] == pytest.approx(1.0), key
    assert metrics['threshold'] == 1.0
    assert (record['num_images'], record['num_defective']) == (6, 3)


def test_inverted_maps_score_zero(tool, tmp_path):
    maps, masks = perfect_case()
    record = tool['main']([
        save(tmp_path / 'i.npz', 1.0 - maps, masks), '--binning', 'exact'
    ])
    assert record['metrics']['pixel_AUROC'] == pytest.approx(0.0)


def test_hand_computed_two_images(tool, tmp_path):
    # Image A is defect-free (max 0.4); image B has one defect pixel
    # scoring 0.35 (its max). Pixel AUROC: 0.35 beats 6 of the 7 normal
    # pixels -> 6/7. Image AUROC: the defective image scores lower -> 0.
    # Pixel AP: ranking 0.4 (normal), 0.35 (defect) -> precision 1/2 at
    # recall 1 -> 0.5. F1-max at threshold 0.35: P = 1/2, R = 1 -> 2/3.
    maps = np.array([[[0.1, 0.2], [0.3, 0.4]], [[0.35, 0.1], [0.2, 0.05]]],
                    np.float32)
    masks = np.array([[[0, 0], [0, 0]], [[1, 0], [0, 0]]], np.uint8)
    record = tool['main'](
        [save(tmp_path / 'h.npz', maps, masks), '--binning', 'exact'])
    metrics = record['metrics']
    assert metrics['pixel_AUROC'] == pytest.approx(6 / 7)
    assert metrics['image_AUROC'] == pytest.approx(0.0)
    assert metrics['AP_loc'] == pytest.approx(0.5)
    assert metrics['F1_max'] == pytest.approx(2 / 3)
    assert metrics['threshold'] == pytest.approx(0.35)


def test_random_maps_match_scikit_learn_and_ignore_255(tool, tmp_path):
    rng = np.random.default_rng(1)
    masks = (rng.random((5, 12, 10)) < 0.2).astype(np.uint8)
    masks[0] = 0  # one defect-free image
    maps = rng.random((5, 12, 10)).astype(np.float32) + 0.3 * masks
    padded_masks = masks.copy()
    padded_masks[:, :, 8:] = 255  # padding: excluded from pixel metrics
    padded_maps = maps.copy()
    padded_maps[:, :, 8:] = 5.0 * rng.random((5, 12, 2))
    record = tool['main']([
        save(tmp_path / 'r.npz', padded_maps[:, None], padded_masks[:, None]),
        '--binning', 'exact'
    ])
    valid = padded_masks != 255
    expected = roc_auc_score(masks[valid], maps[valid])
    assert record['metrics']['pixel_AUROC'] == pytest.approx(expected)


def test_bad_files_name_the_file(tool, tmp_path):
    maps, masks = perfect_case(num=2, size=8)
    soft = save(tmp_path / 'soft.npz', maps, masks * 200)
    with pytest.raises(ValueError, match=r'soft\.npz.*\[200\].*> 127'):
        tool['load_maps'](soft)
    missing = str(tmp_path / 'nomask.npz')
    np.savez(missing, maps=maps)
    with pytest.raises(KeyError, match=r"nomask\.npz has no \['masks'\]"):
        tool['load_maps'](missing)
    shape = save(tmp_path / 'shape.npz', maps[:, :4], masks)
    with pytest.raises(ValueError, match=r'shape\.npz.*\(2, 4, 8\).*'
                       r'\(2, 8, 8\)'):
        tool['load_maps'](shape)


def test_cli_never_overwrites_the_output(tmp_path):
    maps, masks = perfect_case(num=2, size=8)
    npz = save(tmp_path / 'p.npz', maps, masks)
    out = tmp_path / 'metrics.json'
    output = run_tool([TOOL, npz, '--out', str(out)])
    assert 'pixel_AUROC  1.0000' in output
    written = json.loads(out.read_text())
    assert written['metrics']['image_AUROC'] == 1.0
    before = out.read_bytes()
    output = run_tool([TOOL, npz, '--out', str(out)], expect_ok=False)
    assert 'exists' in output and str(out) in output
    assert out.read_bytes() == before

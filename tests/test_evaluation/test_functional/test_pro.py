import numpy as np
import pytest

from mmdefect.evaluation.functional.pro import (compute_pro,
                                                connected_regions, pro_auc,
                                                pro_curve_from_counts,
                                                pro_discretisation_bound)


def test_connected_regions_connectivity():
    mask = np.zeros((5, 5), bool)
    mask[0, 0] = mask[1, 1] = True
    mask[3:, 3:] = True
    assert connected_regions(mask, 8)[0] == 2
    count, labels = connected_regions(mask, 4)
    assert count == 3
    assert labels.dtype == np.int32 and set(np.unique(labels)) == {0, 1, 2, 3}
    assert connected_regions(np.zeros((3, 3), bool))[0] == 0
    with pytest.raises(ValueError):
        connected_regions(mask, 6)


def test_compute_pro_matches_brute_force(dataset, brute_force_pro):
    maps, masks = dataset
    assert compute_pro(maps, masks) == pytest.approx(
        brute_force_pro(maps, masks), abs=1e-9)
    assert compute_pro(maps, masks, fpr_limit=1.0) == pytest.approx(
        brute_force_pro(maps, masks, fpr_limit=1.0), abs=1e-9)


def test_pro_hand_cases():
    mask = np.zeros((4, 4), np.int64)
    mask[0, :2] = 1
    mask[3, 3] = 1
    perfect = mask.astype(np.float32)
    assert compute_pro([perfect], [mask]) == pytest.approx(1.0)
    assert compute_pro([1 - perfect], [mask]) == pytest.approx(0.0)
    # The small region is found first, the big one ties with the normal
    # pixels: curve (0, 0) -> (0, 0.5) -> (1, 1), so PRO(0.3) = 0.65 and
    # the area is 0.3 * (0.5 + 0.65) / 2 = 0.1725, normalised 0.575.
    half = np.zeros((4, 4), np.float32)
    half[3, 3] = 1
    assert compute_pro([half], [mask]) == pytest.approx(0.575)
    # Region-wise, not pixel-wise: the same with a larger big region.
    mask[1, :] = 1
    assert compute_pro([half], [mask]) == pytest.approx(0.575)


def test_pro_curve_degenerate_and_bound():
    fpr, pro = pro_curve_from_counts([3, 1], [0, 0], 0)
    assert np.isnan(pro_auc(fpr, pro))
    fpr, pro = pro_curve_from_counts([0, 0], [1.0, 0], 1)
    assert np.isnan(pro_auc(fpr, pro))
    # One bin holding everything: binned area 0.15, true area in [0, 0.3].
    fpr, pro = pro_curve_from_counts([10], [1.0], 1)
    assert pro_auc(fpr, pro) == pytest.approx(0.15)
    assert pro_discretisation_bound(fpr, pro) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        pro_auc(fpr, pro, fpr_limit=0)

import numpy as np
import pytest


def _brute_force_pro(maps, masks, fpr_limit=0.3, ignores=None):
    """Slow exact AUPRO: one threshold per distinct score (MVTec AD)."""
    ndimage = pytest.importorskip('scipy.ndimage')
    ignores = ignores or [np.zeros(m.shape, bool) for m in masks]
    regions, negatives, scores = [], [], []
    for score, mask, ignore in zip(maps, masks, ignores):
        defect = (mask > 0) & ~ignore
        labelled, count = ndimage.label(defect, structure=np.ones((3, 3)))
        regions += [score[labelled == i] for i in range(1, count + 1)]
        negatives.append(score[~defect & ~ignore])
        scores.append(score[~ignore])
    negatives = np.concatenate(negatives)
    fprs, pros = [0.0], [0.0]
    for t in np.unique(np.concatenate(scores))[::-1]:
        fprs.append(np.mean(negatives >= t))
        pros.append(np.mean([np.mean(r >= t) for r in regions]))
    area, prev_f, prev_p = 0.0, 0.0, 0.0
    for f, p in zip(fprs[1:], pros[1:]):
        if f > fpr_limit:
            p_lim = prev_p + (p - prev_p) * (fpr_limit - prev_f) / (f - prev_f)
            area += (fpr_limit - prev_f) * (prev_p + p_lim) / 2
            break
        area += (f - prev_f) * (prev_p + p) / 2
        prev_f, prev_p = f, p
    return area / fpr_limit


@pytest.fixture
def brute_force_pro():
    return _brute_force_pro


def make_dataset(seed=0, num_images=6, size=16, defect_free=(1, 4)):
    """Random maps and masks with rectangular defects of varying size."""
    rng = np.random.default_rng(seed)
    maps, masks = [], []
    for i in range(num_images):
        mask = np.zeros((size, size), np.int64)
        if i not in defect_free:
            for _ in range(rng.integers(1, 3)):
                y, x = rng.integers(0, size - 3, 2)
                h, w = rng.integers(1, 6, 2)
                mask[y:y + h, x:x + w] = rng.integers(1, 3)
        score = rng.normal(size=(size, size)) + 1.5 * (mask > 0)
        maps.append(score.astype(np.float32))
        masks.append(mask)
    return maps, masks


@pytest.fixture
def dataset():
    return make_dataset()


@pytest.fixture(name='make_dataset')
def make_dataset_fixture():
    return make_dataset

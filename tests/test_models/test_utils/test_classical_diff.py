import numpy as np

from mmdefect.datasets.functional import deeppcb as rules
from mmdefect.models.segmentors import ClassicalDiffSegmentor
from mmdefect.models.utils import classical_diff as cd
from mmdefect.testing import board

CFG = ClassicalDiffSegmentor().cfg
SIZE = 64
TRACK = (28, 0, 36, SIZE)


def detect(test, ref, cfg=CFG):
    return cd.detect_defects(test, ref, cfg)


def single_type(labels):
    types = np.unique(labels[labels > 0])
    assert types.size == 1, f'expected one defect type, got {types}'
    return int(types[0])


def test_cut_track_is_open():
    ref = board(TRACK)
    test = ref.copy()
    test[30:36, 28:36] = 255
    labels, conf = detect(test, ref)
    assert single_type(labels) == rules.OPEN
    assert np.count_nonzero(labels) == 48
    np.testing.assert_allclose(conf[labels > 0],
                               cd.component_confidence(48, 100.))


def test_bridged_tracks_are_short():
    ref = board((16, 0, 22, SIZE), (40, 0, 46, SIZE))
    test = board((16, 0, 22, SIZE), (40, 0, 46, SIZE), (22, 30, 40, 36))
    labels, _ = detect(test, ref)
    assert single_type(labels) == rules.SHORT


def test_bite_at_track_edge_is_mousebite():
    ref = board((26, 0, 38, SIZE))
    test = ref.copy()
    test[28:34, 26:31] = 255
    labels, _ = detect(test, ref)
    assert single_type(labels) == rules.MOUSEBITE


def test_protrusion_is_spur():
    ref = board(TRACK)
    test = board(TRACK, (36, 28, 44, 34))
    labels, _ = detect(test, ref)
    assert single_type(labels) == rules.SPUR


def test_isolated_blob_is_spurious_copper():
    ref = board((6, 0, 12, SIZE))
    test = board((6, 0, 12, SIZE), (40, 28, 48, 36))
    labels, _ = detect(test, ref)
    assert single_type(labels) == rules.SPURIOUS_COPPER


def test_hole_inside_pad_is_pin_hole():
    ref = board((16, 16, 48, 48))
    test = ref.copy()
    test[29:35, 29:35] = 255
    labels, _ = detect(test, ref)
    assert single_type(labels) == rules.PIN_HOLE
    assert np.count_nonzero(labels) == 36


def test_identical_and_shifted_pairs_are_background():
    ref = board(TRACK, (10, 10, 20, 20), (40, 40, 56, 50))
    labels, conf = detect(ref, ref)
    assert not labels.any() and not conf.any()
    shifted = np.roll(ref, (2, -3), axis=(0, 1))
    assert not detect(shifted, ref)[0].any()


def test_copper_polarity_parameter():
    ref = board(TRACK)
    test = board(TRACK, (36, 28, 44, 34))
    labels, _ = detect(255 - test, 255 - ref, dict(CFG, copper_dark=False))
    assert single_type(labels) == rules.SPUR


def test_register_translation_undoes_a_shift():
    ref = rules.copper_mask(board(TRACK, (10, 10, 20, 20)))
    test = np.roll(ref, (3, -2), axis=(0, 1))
    aligned = cd.register_translation(test, ref, max_shift=4)
    np.testing.assert_array_equal(aligned[4:-4, 4:-4], test[4:-4, 4:-4])
    too_small = cd.register_translation(test, ref, max_shift=1)
    assert (too_small != test).any()


def test_clean_mask_drops_small_components():
    mask = np.zeros((16, 16), bool)
    mask[2:5, 2:5] = True  # 9 pixels
    mask[8:12, 8:12] = True  # 16 pixels
    cleaned = cd.clean_mask(mask, 1, 1, min_area=10)
    assert cleaned.sum() == 16 and cleaned[8:12, 8:12].all()


def test_component_confidence_and_log_probs():
    assert cd.component_confidence(100, 100.) == 0.75
    assert 0.5 < cd.component_confidence(1, 100.) < \
        cd.component_confidence(1000, 100.) < 1
    labels = np.array([[0, 2]], np.uint8)
    conf = np.array([[0, 0.8]], np.float32)
    log_probs = cd.label_log_probs(labels, conf, num_classes=7, eps=1e-6)
    probs = np.exp(log_probs.astype(np.float64))
    np.testing.assert_allclose(probs.sum(0), 1, rtol=1e-6)
    expected = np.array([0.2, 1e-6, 0.8, 1e-6, 1e-6, 1e-6, 1e-6])
    np.testing.assert_allclose(probs[:, 0, 1], expected / expected.sum(),
                               rtol=1e-5)
    assert probs[0, 0, 0] > 1 - 1e-5

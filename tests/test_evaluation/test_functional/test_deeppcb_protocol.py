import numpy as np
import pytest
import torch

from mmdefect.evaluation.functional import (box_iou, deeppcb_evaluate,
                                            masks_to_boxes, match_image,
                                            ranked_average_precision,
                                            sort_detections)
from mmdefect.evaluation.functional.deeppcb_protocol import IOU_THRESHOLD
from mmdefect.testing.deeppcb_official import (EVAL_DIR, SCRIPT_FOUND,
                                               TYPE_NAMES, RectanglePolygon,
                                               det_text, gt_text,
                                               official_evaluate, read_gt_zip)

NAMES = ('background', 'open', 'short', 'mousebite')
KEYS = ('precision', 'recall', 'hmean', 'AP')
requires_script = pytest.mark.skipif(
    not SCRIPT_FOUND, reason=f'DeepPCB evaluation script not in {EVAL_DIR}')


def boxes(*rows, width):
    return np.asarray(rows, dtype=np.float64).reshape(-1, width)


def gt_boxes(*rows):
    return boxes(*rows, width=5)


def det_boxes(*rows):
    return boxes(*rows, width=6)


def overall(result):
    return {key: result[key] for key in KEYS}


def test_perfect_detections():
    gts = [gt_boxes((10, 10, 40, 30, 1), (50, 60, 70, 90, 2)),
           gt_boxes((0, 0, 5, 5, 3))]
    dets = [det_boxes((50, 60, 70, 90, 0.4, 2), (10, 10, 40, 30, 0.9, 1)),
            det_boxes((0, 0, 5, 5, 0.7, 3))]
    result = deeppcb_evaluate(gts, dets, NAMES)
    assert overall(result) == dict(precision=1, recall=1, hmean=1, AP=1)
    assert result['mAP'] == 1
    assert (result['num_gt'], result['num_det']) == (3, 3)
    for name in NAMES[1:]:
        assert result[f'AP.{name}'] == result[f'hmean.{name}'] == 1
    assert 'AP.background' not in result


def test_iou_threshold():
    assert IOU_THRESHOLD == 0.33
    gt = gt_boxes((0, 0, 100, 10, 1))
    # Shifted right by dx, the IoU is (100 - dx) / (100 + dx):
    # dx = 50 -> 50 / 150 = 0.3333 > 0.33, a hit;
    # dx = 51 -> 49 / 151 = 0.3245, a miss.
    hit = det_boxes((50, 0, 150, 10, 0.5, 1))
    miss = det_boxes((51, 0, 151, 10, 0.5, 1))
    np.testing.assert_allclose(
        box_iou(gt, np.concatenate([hit, miss]))[0], [50 / 150, 49 / 151])
    assert match_image(gt, hit).tolist() == [True]
    assert match_image(gt, miss).tolist() == [False]
    assert match_image(gt, hit, iou_thr=0.5).tolist() == [False]
    # Exactly 0.33 is not enough: a 6 x 11 box in a 10 x 20 one, 66 / 200.
    tall = gt_boxes((0, 0, 10, 20, 1))
    inside = det_boxes((0, 0, 6, 11, 0.5, 1))
    assert box_iou(tall, inside)[0, 0] == 0.33
    assert match_image(tall, inside).tolist() == [False]
    result = deeppcb_evaluate([gt], [miss])
    assert overall(result) == dict(precision=0, recall=0, hmean=0, AP=0)


def test_box_iou_truncates_and_handles_empty_boxes():
    gt = gt_boxes((0, 0, 10, 10, 1), (5, 5, 5, 5, 1))
    # 0.9 and 10.7 are truncated to 0 and 10, as the script's int() does.
    det = det_boxes((0.9, 0, 10.7, 10, 1, 1), (5, 5, 5, 5, 1, 1))
    np.testing.assert_array_equal(box_iou(gt, det), [[1, 0], [0, 0]])


def test_wrong_class_uses_up_the_ground_truth_box():
    gt = gt_boxes((0, 0, 10, 10, 1))
    wrong = (0, 0, 10, 10, 0.9, 2)
    # IoU of the right-class box with the GT box: 90 / 110 = 0.82.
    right = (1, 0, 11, 10, 0.8, 1)
    assert match_image(gt, det_boxes(right)).tolist() == [True]
    assert match_image(gt, det_boxes(wrong, right)).tolist() == [False,
                                                                 False]
    result = deeppcb_evaluate([gt], [det_boxes(right, wrong)], NAMES)
    assert overall(result) == dict(precision=0, recall=0, hmean=0, AP=0)
    # Per class, the other class's boxes are gone: the open box matches.
    assert result['AP.open'] == result['hmean.open'] == 1
    assert result['AP.short'] == result['precision.short'] == 0
    assert result['recall.short'] == result['hmean.short'] == 0
    # short has no ground truth, so mAP is the AP of open alone.
    assert result['mAP'] == 1


def test_ground_truth_order_not_best_iou_decides():
    g0, g1 = (0, 0, 20, 10, 1), (10, 0, 30, 10, 1)
    # d0 has IoU 100 / 300 = 0.333 with g0 and 1 with g1; d1 has IoU
    # 180 / 200 = 0.9 with g1 and 80 / 300 = 0.267 with g0.
    dets = det_boxes((12, 0, 30, 10, 0.8, 1), (10, 0, 30, 10, 0.9, 1))
    # g0 first: it takes d0 (the first detection by confidence above the
    # threshold), then g1 takes d1.
    assert deeppcb_evaluate([gt_boxes(g0, g1)], [dets])['precision'] == 1
    # g1 first: it takes d0, and d1 does not overlap g0 enough.
    result = deeppcb_evaluate([gt_boxes(g1, g0)], [dets])
    assert (result['precision'], result['recall']) == (0.5, 0.5)
    assert result['AP'] == pytest.approx(1 / 2)


def test_detections_are_matched_by_decreasing_confidence():
    gt = gt_boxes((0, 0, 10, 10, 1))
    # Listed first but less confident: the exact box is the false positive.
    dets = det_boxes((0, 0, 10, 10, 0.5, 1), (0, 0, 10, 20, 0.9, 1))
    np.testing.assert_array_equal(sort_detections(dets), dets[::-1])
    assert match_image(gt, sort_detections(dets)).tolist() == [True, False]
    result = deeppcb_evaluate([gt], [dets])
    assert (result['precision'], result['recall'], result['AP']) == (0.5, 1,
                                                                     1)


def test_ranked_average_precision():
    # Ranked 0.9 hit, 0.8 miss, 0.7 hit with 2 GT boxes: (1/1 + 2/3) / 2.
    assert ranked_average_precision(
        [0.7, 0.9, 0.8], [True, True, False], 2) == pytest.approx(5 / 6)
    # A missed GT box counts in the denominator: (1/2 + 2/3) / 3.
    assert ranked_average_precision(
        [0.9, 0.8, 0.7], [False, True, True], 3) == pytest.approx(7 / 18)
    assert ranked_average_precision([0.9], [True], 0) == 0
    assert ranked_average_precision([], [], 2) == 0


def test_ranking_spans_images():
    gts = [gt_boxes((0, 0, 10, 10, 1), (20, 20, 30, 30, 1)), gt_boxes()]
    dets = [det_boxes((0, 0, 10, 10, 0.9, 1), (20, 20, 30, 30, 0.7, 1)),
            det_boxes((0, 0, 10, 10, 0.8, 1))]
    result = deeppcb_evaluate(gts, dets)
    # Ranked 0.9 hit, 0.8 false positive (image 2), 0.7 hit; 2 GT boxes.
    assert result['AP'] == pytest.approx((1 + 2 / 3) / 2)
    assert result['precision'] == pytest.approx(2 / 3)
    assert result['recall'] == 1
    # 2 * (2/3) * 1 / (2/3 + 1) = 0.8
    assert result['hmean'] == pytest.approx(0.8)


def test_per_class_ap_and_map():
    gt = gt_boxes((0, 0, 10, 10, 1), (20, 0, 30, 10, 2), (40, 0, 50, 10, 2))
    dets = det_boxes(
        (0, 0, 10, 10, 0.6, 1),  # open: hit
        (0, 30, 10, 40, 0.9, 2),  # short: false positive
        (20, 0, 30, 10, 0.5, 2),  # short: hit; (40, 0, 50, 10) missed
        (20, 30, 30, 40, 0.4, 3))  # mousebite, which has no GT box
    result = deeppcb_evaluate([gt], [dets], NAMES)
    assert result['AP.open'] == result['precision.open'] == 1
    assert result['recall.open'] == result['hmean.open'] == 1
    # short ranked: 0.9 miss, 0.5 hit; 2 GT boxes -> (1/2) / 2.
    assert result['AP.short'] == pytest.approx(0.25)
    assert result['precision.short'] == result['recall.short'] == 0.5
    assert result['hmean.short'] == 0.5
    assert result['AP.mousebite'] == result['precision.mousebite'] == 0
    assert result['recall.mousebite'] == result['hmean.mousebite'] == 0
    # mousebite has no GT box, so it is not averaged.
    assert result['mAP'] == pytest.approx((1 + 0.25) / 2)
    # All classes ranked: 0.9 miss, 0.6 hit, 0.5 hit, 0.4 miss; 3 GT boxes.
    assert result['AP'] == pytest.approx((1 / 2 + 2 / 3) / 3)
    assert result['precision'] == 0.5
    assert result['recall'] == pytest.approx(2 / 3)
    assert result['hmean'] == pytest.approx(4 / 7)
    # Without names, the class values name the keys.
    plain = deeppcb_evaluate([gt], [dets])
    assert plain['AP.2'] == result['AP.short']
    assert 'AP.short' not in plain


def test_no_boxes_at_all():
    result = deeppcb_evaluate([gt_boxes()], [det_boxes()])
    assert overall(result) == dict(precision=0, recall=0, hmean=0, AP=0)
    assert np.isnan(result['mAP'])
    assert deeppcb_evaluate([], [])['num_gt'] == 0


def test_input_errors():
    with pytest.raises(ValueError, match='2 ground-truth lists but 1 '):
        deeppcb_evaluate([gt_boxes(), gt_boxes()], [det_boxes()])
    with pytest.raises(ValueError, match=r'must be \(H, W\), got shape '
                       r'\(1, 4, 4\)'):
        masks_to_boxes(np.ones((1, 4, 4), np.uint8))
    label_map = np.zeros((4, 4), np.uint8)
    label_map[1, 1] = 2
    with pytest.raises(ValueError, match=r'probs of shape \(3, 4, 5\) do '
                       r'not fit a label map of shape \(4, 4\)'):
        masks_to_boxes(label_map, np.zeros((3, 4, 5)))
    with pytest.raises(ValueError, match='with labels up to 2'):
        masks_to_boxes(label_map, np.zeros((2, 4, 4)))


@pytest.fixture
def label_map():
    """Four blobs on a 12 x 20 map (rows, columns)."""
    label_map = np.zeros((12, 20), np.uint8)
    # A: 6 pixels of class 1 touching 2 pixels of class 2 -> one box.
    label_map[1:3, 1:4] = 1
    label_map[1:3, 4] = 2
    # C: one pixel of class 2, next to an ignored pixel.
    label_map[5, 10] = 2
    label_map[5, 11] = 255
    # D: two diagonal pixels (8-connected), classes 2 and 1 tied.
    label_map[8, 2] = 2
    label_map[9, 3] = 1
    # B: 3 x 3 pixels of class 3 in the bottom right corner.
    label_map[9:12, 17:20] = 3
    return label_map


def test_masks_to_boxes(label_map):
    # Tight boxes (half-open) widened by 2 and clipped to 20 x 12:
    # A x 1..5, y 1..3 -> (0, 0, 7, 5); C x 10..11, y 5..6 -> (8, 3, 13, 8)
    # D x 2..4, y 8..10 -> (0, 6, 6, 12); B x 17..20, y 9..12
    # -> (15, 7, 20, 12).  Order: first pixel in a row-major scan.
    np.testing.assert_array_equal(
        masks_to_boxes(label_map, margin=2, merge_radius=0),
        [[0, 0, 7, 5, 1, 1], [8, 3, 13, 8, 1, 2], [0, 6, 6, 12, 1, 1],
         [15, 7, 20, 12, 1, 3]])
    np.testing.assert_array_equal(
        masks_to_boxes(label_map, margin=0, merge_radius=0, min_area=2),
        [[1, 1, 5, 3, 1, 1], [2, 8, 4, 10, 1, 1], [17, 9, 20, 12, 1, 3]])
    assert masks_to_boxes(label_map).dtype == np.float64


def test_masks_to_boxes_confidence(label_map):
    probs = np.zeros((4, 12, 20))
    probs[1, 1:3, 1:4] = 0.9
    probs[1, 1:3, 4] = 0.3
    probs[2, 1:3, 4] = 0.7
    probs[2, 5, 10] = 0.5
    probs[1, 8, 2] = 0.2
    probs[1, 9, 3] = 0.4
    probs[3, 9:12, 17:20] = 0.6
    boxes_ = masks_to_boxes(label_map, probs, merge_radius=0)
    # A: mean of probs[1] over its 8 pixels, (6 * 0.9 + 2 * 0.3) / 8.
    np.testing.assert_allclose(boxes_[:, 4], [0.75, 0.5, 0.3, 0.6])
    np.testing.assert_array_equal(boxes_[:, 5], [1, 2, 1, 3])


def test_masks_to_boxes_merges_nearby_fragments():
    label_map = np.zeros((30, 40), np.uint8)
    label_map[10:12, 10:13] = 4  # 6 pixels, columns 10-12
    label_map[10:12, 17:19] = 5  # 4 pixels, columns 17-18: 4 columns apart
    label_map[25, 35] = 5  # far away
    # radius 2: the dilated fragments (columns 8-14 and 15-20) touch, so one
    # group; its box is the tight box of the undilated pixels, class by
    # majority (6 pixels of class 4 against 4 of class 5)
    np.testing.assert_array_equal(
        masks_to_boxes(label_map, margin=1, merge_radius=2),
        [[9, 9, 20, 13, 1, 4], [34, 24, 37, 27, 1, 5]])
    # radius 1: columns 9-13 and 16-19 stay apart
    np.testing.assert_array_equal(
        masks_to_boxes(label_map, margin=1, merge_radius=1),
        [[9, 9, 14, 13, 1, 4], [16, 9, 20, 13, 1, 5],
         [34, 24, 37, 27, 1, 5]])
    # min_area counts undilated defect pixels
    assert len(masks_to_boxes(label_map, merge_radius=1, min_area=5)) == 1


def test_masks_to_boxes_background_and_ignore_only():
    assert masks_to_boxes(np.zeros((5, 5), np.int64)).shape == (0, 6)
    assert masks_to_boxes(np.full((5, 5), 255, np.uint8)).shape == (0, 6)
    label_map = np.full((5, 5), 7, np.uint8)
    assert masks_to_boxes(label_map, ignore_index=7).shape == (0, 6)
    np.testing.assert_array_equal(
        masks_to_boxes(label_map, ignore_index=255), [[0, 0, 5, 5, 1, 7]])


def confidences(rng, size):
    """Six-decimal values; a fifth of them from three values (exact ties)."""
    micro = rng.integers(0, 1_000_001, size)
    tied = rng.random(size) < 0.2
    micro[tied] = rng.choice([250_000, 500_000, 1_000_000], tied.sum())
    # k / 10**6 is the double the script reads from the six decimals.
    return micro / 1_000_000


def fake_detections(gt, rng, size=640):
    """Detections of one image: jittered, shifted (IoU from about 0.1 to
    0.5), wrong-class, duplicated (also a right- and a wrong-class box on
    one defect), missed and false boxes, in random order."""
    rows = []
    for x1, y1, x2, y2, cls in gt:
        kind = rng.choice(['hit', 'shift', 'wrong', 'both', 'twice', 'miss'],
                          p=[0.5, 0.15, 0.05, 0.1, 0.1, 0.1])
        box = np.array([x1, y1, x2, y2]) + rng.integers(-4, 5, 4)
        if kind == 'shift':
            box += np.array([1, 0, 1, 0]) * int(
                (x2 - x1) * rng.uniform(0.3, 0.8))
        if kind in ('twice', 'both'):
            rows.append([*(box + rng.integers(-3, 4, 4)), cls])
        if kind in ('wrong', 'both'):
            cls = rng.choice([c for c in range(1, 7) if c != cls])
        if kind != 'miss':
            rows.append([*box, cls])
    for _ in range(rng.poisson(1)):
        x, y = rng.integers(0, size - 40, 2)
        w, h = rng.integers(10, 40, 2)
        rows.append([x, y, x + w, y + h, rng.integers(1, 7)])
    rows = np.asarray(rows, dtype=np.float64).reshape(-1, 5)
    rows[:, :4] = np.clip(rows[:, :4], 0, size)
    rows[:, 2:4] = np.maximum(rows[:, 2:4], rows[:, :2] + 1)
    dets = np.insert(rows, 4, confidences(rng, len(rows)), axis=1)
    return dets[rng.permutation(len(dets))]


def max_difference(ours, theirs, suffix=''):
    return max(abs(ours[key + suffix] - theirs[key]) for key in KEYS)


@requires_script
def test_equals_the_official_script_on_the_test_set():
    ground_truth = read_gt_zip(f'{EVAL_DIR}/gt.zip')
    rng = np.random.default_rng(0)
    ids = list(ground_truth)
    gts = [ground_truth[i] for i in ids]
    dets = [fake_detections(gt, rng) for gt in gts]
    assert (len(ids), sum(len(g) for g in gts)) == (500, 3140)
    scores = np.concatenate([d[:, 4] for d in dets])
    # Hundreds of exact ties, within and across images: the AP then
    # depends on the order np.argsort gives them (ranking the global list
    # with a stable sort instead changes it by 2.4e-3 here).
    assert len(scores) - len(np.unique(scores)) > 500
    ours = deeppcb_evaluate(gts, dets, TYPE_NAMES)
    theirs = official_evaluate(gts, dets, ids)
    assert max_difference(ours, theirs) <= 1e-6
    assert 0.3 < theirs['AP'] < 0.8 and 0.5 < theirs['precision'] < 0.8
    class_aps = []
    for cls in range(1, 7):
        theirs = official_evaluate([g[g[:, 4] == cls] for g in gts],
                                   [d[d[:, 5] == cls] for d in dets], ids)
        assert max_difference(ours, theirs, f'.{TYPE_NAMES[cls]}') <= 1e-6
        class_aps.append(theirs['AP'])
    assert abs(ours['mAP'] - np.mean(class_aps)) <= 1e-6


def test_official_runner_helpers():
    square = RectanglePolygon([[0, 10], [0, 0], [10, 0], [10, 10]])
    shifted = RectanglePolygon([[5, 10], [5, 5], [12, 5], [12, 10]])
    assert (square.area(), (square & shifted).area()) == (100.0, 25.0)
    assert len(square & RectanglePolygon([[10, 1], [10, 0], [11, 0],
                                          [11, 1]])) == 0
    with pytest.raises(ValueError, match='not an axis-aligned rectangle'):
        RectanglePolygon([[0, 0], [1, 1], [2, 0], [1, -1]])
    assert gt_text(gt_boxes((1, 2, 3, 4, 6))) == '1,2,3,4,pin-hole\n'
    assert det_text(det_boxes((1, 2, 3, 4, 0.25, 1))) == (
        '1,2,3,4,0.250000,open\n')
    with pytest.raises(ValueError, match=r'in \[0, 1\] only'):
        det_text(det_boxes((1, 2, 3, 4, 1.5, 1)))


HAND_CASES = {
    'wrong class first': (
        [gt_boxes((0, 0, 10, 10, 1))],
        [det_boxes((1, 0, 11, 10, 0.8, 1), (0, 0, 10, 10, 0.9, 2))]),
    'ground truth order': (
        [gt_boxes((10, 0, 30, 10, 1), (0, 0, 20, 10, 1))],
        [det_boxes((12, 0, 30, 10, 0.8, 1), (10, 0, 30, 10, 0.9, 1))]),
    'IoU 1/3 and 49/151': (
        [gt_boxes((0, 0, 100, 10, 1)), gt_boxes((0, 0, 100, 10, 1))],
        [det_boxes((50, 0, 150, 10, 0.5, 1)),
         det_boxes((51, 0, 151, 10, 0.6, 1))]),
    'IoU exactly 0.33': (
        [gt_boxes((0, 0, 10, 20, 1))], [det_boxes((0, 0, 6, 11, 0.5, 1))]),
}


@requires_script
@pytest.mark.parametrize('case', list(HAND_CASES))
def test_hand_cases_agree_with_the_official_script(case):
    gts, dets = HAND_CASES[case]
    ids = [f'{i:08d}' for i in range(len(gts))]
    assert overall(deeppcb_evaluate(gts, dets)) == pytest.approx(
        official_evaluate(gts, dets, ids), abs=1e-12)


def test_evaluate_rejects_boxes_of_the_wrong_width():
    gt = np.array([[0, 0, 10, 10, 1]], dtype=float)
    det = np.array([[0, 0, 10, 10, 0.9, 1]], dtype=float)
    with pytest.raises(ValueError,
                       match=r'ground truth 0 has shape \(1, 6\), expected '
                       r'\(K, 5\)'):
        deeppcb_evaluate([det], [gt])
    with pytest.raises(ValueError, match=r'detections 1 has shape \(5,\)'):
        deeppcb_evaluate([gt, gt], [det, det[0, :5]])
    empty = deeppcb_evaluate([np.zeros(0)], [np.zeros(0)])
    assert empty['num_gt'] == 0 and empty['num_det'] == 0


def test_thresholded_labels_hand_computed():
    from mmdefect.evaluation.functional import thresholded_labels

    # pixel 0: p = (0.5, 0.3, 0.2) -> argmax background, defect prob 0.5
    # pixel 1: p = (0.2, 0.3, 0.5) -> class 2 either way, defect prob 0.8
    probs = torch.tensor([[0.5, 0.2], [0.3, 0.3], [0.2, 0.5]])
    logits = probs.log()[:, None, :]  # (3, 1, 2)
    np.testing.assert_array_equal(thresholded_labels(logits), [[0, 2]])
    np.testing.assert_array_equal(thresholded_labels(logits, 0.5), [[1, 2]])
    np.testing.assert_array_equal(thresholded_labels(logits, 0.51), [[0, 2]])
    np.testing.assert_array_equal(thresholded_labels(logits, 0.81), [[0, 0]])
    with pytest.raises(ValueError, match='score_thr must be in'):
        thresholded_labels(logits, 1.5)
    with pytest.raises(ValueError, match=r'\(C, H, W\)'):
        thresholded_labels(logits[0])


def test_miss_reasons_hand_computed():
    from mmdefect.evaluation.functional import MISS_REASONS, miss_reasons
    assert MISS_REASONS == ('found', 'wrong class', 'low IoU',
                            'no detection')
    gt = np.array([
        [0, 0, 10, 10, 1],  # an exact box of its class
        [20, 0, 30, 10, 2],  # exact, but class 1; its class only at 0.3
        [40, 0, 50, 10, 1],  # IoU 30 / 100 = 0.3 <= 0.33
        [60, 0, 70, 10, 1],  # nothing there
    ])
    det = np.array([
        [0, 0, 10, 10, 0.9, 1],
        [20, 0, 30, 10, 0.8, 1],
        [20, 0, 23, 10, 0.7, 2],
        [40, 0, 43, 10, 0.6, 1],
    ])
    np.testing.assert_array_equal(miss_reasons(gt, det), [0, 1, 2, 3])
    # at a lower threshold the 0.3 boxes are found
    np.testing.assert_array_equal(
        miss_reasons(gt, det, iou_thr=0.25), [0, 0, 0, 3])
    np.testing.assert_array_equal(
        miss_reasons(gt, np.zeros((0, 6))), [3, 3, 3, 3])
    assert miss_reasons(np.zeros((0, 5)), det).shape == (0, )

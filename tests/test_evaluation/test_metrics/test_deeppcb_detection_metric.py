import math

import numpy as np
import pytest
import torch
from mmseg.registry import METRICS

from mmdefect.datasets.functional.deeppcb import DEEPPCB_SUBMISSION_NAMES
from mmdefect.evaluation import DeepPCBDetectionMetric
from mmdefect.evaluation.metrics import deeppcb_detection_metric
from mmdefect.testing.deeppcb_official import (EVAL_DIR, SCRIPT_FOUND,
                                               TYPE_NAMES, gt_text,
                                               read_gt_zip, run_script)
from mmdefect.utils import register_all_modules

CLASSES = ('background', 'open', 'short')
DEEPPCB_CLASSES = ('background', 'open', 'short', 'mousebite', 'spur',
                   'copper', 'pin_hole')


def logit(p, num_classes=3):
    """The logit giving softmax probability ``p`` over zero logits."""
    return math.log((num_classes - 1) * p / (1 - p))


def sample(label_map, gt_boxes=None, logits=None, img_path=''):
    """A data sample as mmengine passes it to ``process``."""
    out = dict(img_path=img_path,
               pred_sem_seg=dict(data=torch.as_tensor(label_map)[None]))
    if logits is not None:
        out['seg_logits'] = dict(data=torch.as_tensor(logits))
    if gt_boxes is not None:
        out['gt_boxes'] = np.asarray(gt_boxes, dtype=np.float64)
    return out


def two_images():
    """With box_margin 10: image 1 has a correct open box (confidence 0.9)
    and a false short box (0.8); image 2 a correct short box (0.7) and a
    missed open box."""
    maps = np.zeros((2, 60, 60), np.int64)
    logits = torch.zeros(2, 3, 60, 60)
    maps[0, 20:25, 20:25] = 1  # box (10, 10, 35, 35)
    logits[0, 1, 20:25, 20:25] = logit(0.9)
    maps[0, 45:50, 45:50] = 2  # box (35, 35, 60, 60)
    logits[0, 2, 45:50, 45:50] = logit(0.8)
    maps[1, 20:25, 20:25] = 2  # box (10, 10, 35, 35)
    logits[1, 2, 20:25, 20:25] = logit(0.7)
    gts = [[[10, 10, 35, 35, 1]], [[10, 10, 35, 35, 2], [40, 0, 60, 20, 1]]]
    paths = ['data/group1/00000001_test.jpg', 'data/group1/00000002_test.jpg']
    return [
        sample(m, g, lg, p) for m, g, lg, p in zip(maps, gts, logits, paths)
    ]


def test_registered():
    register_all_modules()
    metric = METRICS.build(dict(type='DeepPCBDetectionMetric'))
    assert isinstance(metric, DeepPCBDetectionMetric)
    assert (metric.box_margin, metric.min_area, metric.iou_thr,
            metric.out_dir, metric.prefix) == (10, 1, 0.33, None, 'DeepPCB')


def test_hand_computed_scores():
    register_all_modules()
    metric = METRICS.build(dict(type='DeepPCBDetectionMetric'))
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, two_images())
    # Ranked: 0.9 hit, 0.8 false positive, 0.7 hit; 3 GT boxes.
    # open: 0.9 hit of 2 GT boxes -> AP 1/2, P 1, R 1/2, F 2/3.
    # short: 0.8 miss, 0.7 hit of 1 GT box -> AP 1/2, P 1/2, R 1, F 2/3.
    assert metric.evaluate(2) == {
        'DeepPCB/mAP': 50.0,
        'DeepPCB/AP': 55.56,  # (1 + 2/3) / 3
        'DeepPCB/precision': 66.67,
        'DeepPCB/recall': 66.67,
        'DeepPCB/Fscore': 66.67,
        'DeepPCB/AP.open': 50.0,
        'DeepPCB/Fscore.open': 66.67,
        'DeepPCB/AP.short': 50.0,
        'DeepPCB/Fscore.short': 66.67,
    }
    assert metric.results == []
    metric = METRICS.build(dict(type='DeepPCBDetectionMetric', prefix='box'))
    metric.process({}, two_images())
    assert metric.evaluate(2)['box/AP.2'] == 50.0


def test_without_dataset_classes_or_logits():
    metric = DeepPCBDetectionMetric(box_margin=0)
    label_map = np.zeros((8, 8), np.uint8)
    label_map[2:4, 2:6] = 2
    metric.process({}, [sample(label_map, [[2, 2, 6, 4, 2]])])
    gt, dets = metric.results[0]
    np.testing.assert_array_equal(gt, [[2, 2, 6, 4, 2]])
    np.testing.assert_array_equal(dets, [[2, 2, 6, 4, 1, 2]])
    out = metric.compute_metrics(metric.results)
    assert out == {'mAP': 100.0, 'AP': 100.0, 'precision': 100.0,
                   'recall': 100.0, 'Fscore': 100.0, 'AP.2': 100.0,
                   'Fscore.2': 100.0}


def test_min_area_and_empty_ground_truth():
    metric = DeepPCBDetectionMetric(min_area=5)
    label_map = np.zeros((30, 30), np.uint8)
    label_map[3:5, 3:5] = 1
    metric.process({}, [sample(label_map, np.zeros((0, 5)))])
    assert metric.results[0][1].shape == (0, 6)
    assert metric.results[0][0].shape == (0, 5)
    out = metric.compute_metrics(metric.results)
    assert out['AP'] == out['precision'] == out['recall'] == 0
    assert math.isnan(out['mAP'])


def test_out_dir_writes_the_submission_format(tmp_path):
    out_dir = tmp_path / 'res'
    metric = DeepPCBDetectionMetric(out_dir=str(out_dir))
    metric.dataset_meta = dict(classes=CLASSES)
    label_map = np.zeros((20, 20), np.uint8)
    label_map[5, 5:7] = 6
    metric.process({}, two_images() + [
        sample(label_map, [], img_path='g/00000003_test.jpg'),
        sample(np.zeros((20, 20), np.uint8), [], img_path='00000004.jpg'),
    ])
    assert sorted(p.name for p in out_dir.iterdir()) == [
        f'0000000{i}.txt' for i in range(1, 5)
    ]
    assert (out_dir / '00000001.txt').read_text() == (
        '10,10,35,35,0.900000,open\n35,35,60,60,0.800000,short\n')
    assert (out_dir / '00000002.txt').read_text() == (
        '10,10,35,35,0.700000,short\n')
    # No logits: confidence 1; class 6 is the README's "pin-hole".
    assert (out_dir / '00000003.txt').read_text() == (
        '0,0,17,16,1.000000,pin-hole\n')
    assert (out_dir / '00000004.txt').read_text() == ''
    # the names have one home, the DeepPCB rules
    assert deeppcb_detection_metric.DEEPPCB_SUBMISSION_NAMES is \
        DEEPPCB_SUBMISSION_NAMES
    assert not hasattr(deeppcb_detection_metric, 'DEEPPCB_TYPE_NAMES')
    with pytest.raises(FileExistsError, match='is not empty'):
        DeepPCBDetectionMetric(out_dir=str(out_dir))
    (tmp_path / 'empty').mkdir()
    DeepPCBDetectionMetric(out_dir=str(tmp_path / 'empty'))
    # a second evaluation by the same metric does not overwrite the files
    with pytest.raises(FileExistsError, match='00000004.txt exists'):
        metric.process({}, [
            sample(np.zeros((20, 20), np.uint8), [], img_path='00000004.jpg')
        ])
    assert (out_dir / '00000001.txt').read_text().startswith('10,10,35,35')
    with pytest.raises(KeyError, match='needs the "img_path"'):
        metric.process({}, [sample(np.zeros((20, 20), np.uint8), [],
                                   img_path='')])


def test_ground_truth_of_the_wrong_width_is_refused():
    metric = DeepPCBDetectionMetric()
    with pytest.raises(ValueError, match=r"'g/00000009_test.jpg'.*shape "
                       r'\(1, 6\), expected \(M, 5\)'):
        metric.process({}, [sample(np.zeros((4, 4), np.uint8),
                                   [[0, 0, 2, 2, 0.5, 1]],
                                   img_path='g/00000009_test.jpg')])


def test_missing_ground_truth_boxes_names_the_image():
    metric = DeepPCBDetectionMetric()
    with pytest.raises(KeyError) as error:
        metric.process({}, [
            sample(np.zeros((4, 4), np.uint8), img_path='g/00000005_test.jpg')
        ])
    assert '"gt_boxes"' in error.value.args[0]
    assert "'g/00000005_test.jpg' has none" in error.value.args[0]
    assert metric.results == []


def fake_predictions(gt, rng, size=640):
    """A label map with a rectangle inside most GT boxes (some of another
    class) and a false blob, and logits favouring each rectangle's class."""
    label_map = np.zeros((size, size), np.int64)
    logits = torch.from_numpy(rng.normal(size=(7, size, size))).float()
    for x1, y1, x2, y2, cls in gt.astype(int):
        kind = rng.choice(['hit', 'wrong', 'miss'], p=[0.75, 0.15, 0.1])
        if kind == 'miss':
            continue
        if kind == 'wrong':
            cls = rng.choice([c for c in range(1, 7) if c != cls])
        inset = rng.integers(7, 13)
        y = slice(y1 + inset, max(y2 - inset, y1 + inset + 1))
        x = slice(x1 + inset, max(x2 - inset, x1 + inset + 1))
        label_map[y, x] = cls
        logits[cls, y, x] += rng.uniform(0, 4)
    x, y = rng.integers(0, size - 10, 2)
    label_map[y:y + 5, x:x + 5] = rng.integers(1, 7)
    return label_map, logits


@pytest.mark.skipif(
    not SCRIPT_FOUND, reason=f'DeepPCB evaluation script not in {EVAL_DIR}')
def test_written_files_scored_by_the_official_script(tmp_path):
    ground_truth = read_gt_zip(f'{EVAL_DIR}/gt.zip')
    ids = list(ground_truth)[::25]
    gts = {i: ground_truth[i] for i in ids}
    rng = np.random.default_rng(1)
    out_dir = tmp_path / 'res'
    metric = DeepPCBDetectionMetric(out_dir=str(out_dir))
    metric.dataset_meta = dict(classes=DEEPPCB_CLASSES)
    for image_id, gt in gts.items():
        label_map, logits = fake_predictions(gt, rng)
        metric.process({}, [
            dict(img_path=f'group/{image_id}_test.jpg', gt_boxes=gt,
                 pred_sem_seg=dict(data=torch.from_numpy(label_map)[None]),
                 seg_logits=dict(data=logits))
        ])
    num_det = sum(len(det) for _, det in metric.results)
    out = metric.compute_metrics(metric.results)
    files = {i: (out_dir / f'{i}.txt').read_text() for i in ids}
    assert sum(text.count('\n') for text in files.values()) == num_det
    assert len(ids) == 20
    assert {int(c) for gt in gts.values() for c in gt[:, 4]} == set(
        range(1, 7))

    theirs = run_script({i: gt_text(gt) for i, gt in gts.items()}, files)
    assert 0.3 < theirs['AP'] < 0.9
    for key, name in [('AP', 'AP'), ('precision', 'precision'),
                      ('recall', 'recall'), ('Fscore', 'hmean')]:
        assert out[key] / 100 == pytest.approx(theirs[name], abs=1e-3)
    class_aps = []
    for cls in range(1, 7):
        suffix = ',' + TYPE_NAMES[cls]
        theirs = run_script(
            {i: gt_text(gt[gt[:, 4] == cls]) for i, gt in gts.items()}, {
                i: ''.join(line + '\n' for line in text.splitlines()
                           if line.endswith(suffix))
                for i, text in files.items()
            })
        name = DEEPPCB_CLASSES[cls]
        assert out[f'AP.{name}'] / 100 == pytest.approx(
            theirs['AP'], abs=1e-3)
        assert out[f'Fscore.{name}'] / 100 == pytest.approx(
            theirs['hmean'], abs=1e-3)
        class_aps.append(theirs['AP'])
    assert out['mAP'] / 100 == pytest.approx(np.mean(class_aps), abs=1e-3)


def test_score_threshold_replaces_the_argmax():
    # one blob whose defect probability (0.6) is split between two defect
    # classes so that background (0.4) stays the most probable class: the
    # argmax misses it, score_thr=0.5 finds it as class 1 (0.35 > 0.25)
    logits = torch.zeros(3, 40, 40)
    logits[0] = 10.0  # background elsewhere
    blob = (slice(15, 20), slice(15, 20))
    for cls, p in enumerate((0.4, 0.35, 0.25)):
        logits[cls][blob] = math.log(p)
    gt = [[5, 5, 30, 30, 1]]
    argmax = logits.argmax(0).numpy()
    plain = DeepPCBDetectionMetric()
    plain.process({}, [sample(argmax, gt, logits)])
    assert plain.results[0][1].shape == (0, 6)
    thr = DeepPCBDetectionMetric(score_thr=0.5)
    thr.process({}, [sample(argmax, gt, logits)])
    dets = thr.results[0][1]
    np.testing.assert_allclose(dets, [[5, 5, 30, 30, 0.35, 1]], atol=1e-6)
    assert thr.compute_metrics(thr.results)['Fscore'] == 100.0
    with pytest.raises(KeyError, match='needs the "seg_logits"'):
        thr.process({}, [sample(argmax, gt, img_path='g/1_test.jpg')])
    with pytest.raises(ValueError, match='score_thr must be in'):
        DeepPCBDetectionMetric(score_thr=2)


def test_log_explains_the_missed_boxes(monkeypatch):
    # two_images: one open box found (image 1), the other with nothing near
    # it (image 2); the short box of image 2 found
    logged = []
    logger = deeppcb_detection_metric.MMLogger.get_current_instance()
    monkeypatch.setattr(logger, 'info', logged.append)
    metric = DeepPCBDetectionMetric()
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, two_images())
    metric.evaluate(2)
    [text] = logged
    table = text[text.index('ground-truth boxes by outcome'):].splitlines()
    assert table[0].endswith('found / wrong class / low IoU / no detection')
    assert table[1].split() == ['open', '1', '/', '0', '/', '0', '/', '1']
    assert table[2].split() == ['short', '1', '/', '0', '/', '0', '/', '0']

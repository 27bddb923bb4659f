import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from mmdefect.models.segmentors import classical_diff_segmentor as cds
from mmdefect.models.segmentors.classical_diff_segmentor import \
    ClassicalDiffSegmentor
from tests.conftest import REPO_ROOT

DEEPPCB = osp.normpath(osp.join(REPO_ROOT, '..', 'shared', 'data', 'DeepPCB'))
PCBDATA = osp.join(DEEPPCB, 'PCBData')
CFG = ClassicalDiffSegmentor().cfg
SIZE = 64


def board(*rects):
    """White (substrate) 64x64 grayscale image with dark copper rectangles
    ``(x1, y1, x2, y2)``, half-open."""
    img = np.full((SIZE, SIZE), 255, np.uint8)
    for x1, y1, x2, y2 in rects:
        img[y1:y2, x1:x2] = 0
    return img


def detect(test, ref):
    return cds._detect(test, ref, CFG)


def single_type(labels):
    types = np.unique(labels[labels > 0])
    assert types.size == 1, f'expected one defect type, got {types}'
    return int(types[0])


def pair_tensor(test, ref):
    """(1, 6, H, W) float tensor of raw BGR values, test then reference."""
    bgr = [cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) for img in (test, ref)]
    return torch.from_numpy(np.concatenate(bgr, 2)).permute(
        2, 0, 1)[None].float()


def sample(h=SIZE, w=SIZE, padding=(0, 0, 0, 0), ori=None):
    s = SegDataSample()
    s.set_metainfo(dict(img_shape=(h - padding[2] - padding[3],
                                   w - padding[0] - padding[1]),
                        ori_shape=ori or (h, w), pad_shape=(h, w),
                        padding_size=list(padding)))
    return s


TRACK = (28, 0, 36, SIZE)


def test_cut_track_is_open():
    ref = board(TRACK)
    test = ref.copy()
    test[30:36, 28:36] = 255
    labels, conf = detect(test, ref)
    assert single_type(labels) == cds.OPEN
    assert np.count_nonzero(labels) == 48


def test_bridged_tracks_are_short():
    ref = board((16, 0, 22, SIZE), (40, 0, 46, SIZE))
    test = board((16, 0, 22, SIZE), (40, 0, 46, SIZE), (22, 30, 40, 36))
    labels, _ = detect(test, ref)
    assert single_type(labels) == cds.SHORT


def test_bite_at_track_edge_is_mousebite():
    ref = board((26, 0, 38, SIZE))
    test = ref.copy()
    test[28:34, 26:31] = 255
    labels, _ = detect(test, ref)
    assert single_type(labels) == cds.MOUSEBITE


def test_protrusion_is_spur():
    ref = board(TRACK)
    test = board(TRACK, (36, 28, 44, 34))
    labels, _ = detect(test, ref)
    assert single_type(labels) == cds.SPUR


def test_isolated_blob_is_spurious_copper():
    ref = board((6, 0, 12, SIZE))
    test = board((6, 0, 12, SIZE), (40, 28, 48, 36))
    labels, _ = detect(test, ref)
    assert single_type(labels) == cds.SPURIOUS_COPPER


def test_hole_inside_pad_is_pin_hole():
    ref = board((16, 16, 48, 48))
    test = ref.copy()
    test[29:35, 29:35] = 255
    labels, _ = detect(test, ref)
    assert single_type(labels) == cds.PIN_HOLE
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
    bright = dict(CFG, copper_dark=False)
    labels, _ = cds._detect(255 - test, 255 - ref, bright)
    assert single_type(labels) == cds.SPUR


def test_predict_shapes_and_probabilities():
    model = ClassicalDiffSegmentor().eval()
    ref = board(TRACK)
    test = ref.copy()
    test[30:36, 28:36] = 255
    inputs = pair_tensor(test, ref)
    logits = model._forward(inputs)
    assert logits.shape == (1, 7, SIZE, SIZE)
    probs = logits.softmax(1)[0]
    torch.testing.assert_close(probs.sum(0), torch.ones(SIZE, SIZE))
    expected = 0.5 + 0.5 * 48 / (48 + 100.)
    torch.testing.assert_close(probs[cds.OPEN, 32, 30],
                               torch.tensor(expected), atol=1e-5, rtol=0)
    torch.testing.assert_close(probs[0, 32, 30],
                               torch.tensor(1 - expected), atol=1e-5, rtol=0)
    torch.testing.assert_close(probs[0, 5, 5], torch.tensor(1.), atol=1e-5,
                               rtol=0)
    out = model.predict(inputs, [sample()])[0]
    assert out.pred_sem_seg.data.shape == (1, SIZE, SIZE)
    assert out.seg_logits.data.shape == (7, SIZE, SIZE)
    pred = out.pred_sem_seg.data[0].numpy()
    assert set(np.unique(pred)) == {0, cds.OPEN}
    assert np.count_nonzero(pred) == 48


def test_padding_is_ignored_and_removed():
    model = ClassicalDiffSegmentor().eval()
    ref = board(TRACK)
    test = board(TRACK, (36, 28, 44, 34))
    inputs = pair_tensor(test, ref)
    padded = torch.zeros(1, 6, SIZE + 8, SIZE + 8)
    padded[..., :SIZE, :SIZE] = inputs
    padded[:, :3, SIZE:, :] = 255
    padded[:, :3, :, SIZE:] = 255
    meta = sample(SIZE + 8, SIZE + 8, padding=(0, 8, 0, 8), ori=(SIZE, SIZE))
    logits = model._forward(padded, [meta])
    assert logits.shape == (1, 7, SIZE + 8, SIZE + 8)
    assert (logits[0, :, SIZE:].argmax(0) == 0).all()
    assert (logits[0, :, :, SIZE:].argmax(0) == 0).all()
    out = model.predict(padded, [meta])[0]
    pred = out.pred_sem_seg.data[0].numpy()
    assert pred.shape == (SIZE, SIZE)
    assert single_type(pred) == cds.SPUR


def test_build_from_config_and_no_training():
    model = MODELS.build(dict(
        type='ClassicalDiffSegmentor', min_area=10,
        data_preprocessor=dict(type='PairedSegDataPreProcessor')))
    assert isinstance(model, ClassicalDiffSegmentor)
    assert model.cfg['min_area'] == 10
    assert not list(model.parameters())
    inputs = pair_tensor(board(TRACK), board(TRACK))
    with pytest.raises(RuntimeError, match='evaluation-only'):
        model.loss(inputs, [sample()])
    with pytest.raises(ValueError, match='num_classes'):
        ClassicalDiffSegmentor(num_classes=2)
    with pytest.raises(ValueError, match=r'\(N, 6, H, W\)'):
        model._forward(inputs[:, :3])


@pytest.mark.skipif(
    not osp.isfile(osp.join(PCBDATA, 'trainval.txt')),
    reason=f'DeepPCB copy not found at {DEEPPCB}')
def test_real_deeppcb_pair():
    with open(osp.join(PCBDATA, 'trainval.txt')) as f:
        img_entry, ann_entry = f.readline().split()
    stem = osp.join(PCBDATA, img_entry[:-len('.jpg')])
    test = cv2.imread(stem + '_test.jpg')
    ref = cv2.imread(stem + '_temp.jpg')
    inputs = torch.from_numpy(np.concatenate([test, ref], 2)).permute(
        2, 0, 1)[None].float()
    model = ClassicalDiffSegmentor().eval()
    pred = model.predict(inputs, [sample(*test.shape[:2])])[0]
    labels = pred.pred_sem_seg.data[0].numpy()
    boxes = np.loadtxt(osp.join(PCBDATA, ann_entry), dtype=int, ndmin=2)
    found = right = 0
    for x1, y1, x2, y2, cls in boxes:
        region = labels[y1:y2, x1:x2]
        if region.any():
            found += 1
            right += np.bincount(region[region > 0]).argmax() == cls
    assert found >= 0.8 * len(boxes)
    assert right >= 0.8 * found

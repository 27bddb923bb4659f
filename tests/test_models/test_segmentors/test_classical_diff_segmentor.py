import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from mmdefect.datasets.functional import deeppcb as rules
from mmdefect.models.segmentors import ClassicalDiffSegmentor
from mmdefect.testing import (DEEPPCB_PCBDATA, DEEPPCB_ROOT, HAS_DEEPPCB,
                              board, pair_tensor)

SIZE = 64
TRACK = (28, 0, 36, SIZE)


def single_type(labels):
    types = np.unique(labels[labels > 0])
    assert types.size == 1, f'expected one defect type, got {types}'
    return int(types[0])


def sample(h=SIZE, w=SIZE, padding=(0, 0, 0, 0), ori=None):
    s = SegDataSample()
    s.set_metainfo(dict(img_shape=(h - padding[2] - padding[3],
                                   w - padding[0] - padding[1]),
                        ori_shape=ori or (h, w), pad_shape=(h, w),
                        padding_size=list(padding)))
    return s


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
    torch.testing.assert_close(probs[rules.OPEN, 32, 30],
                               torch.tensor(expected), atol=1e-5, rtol=0)
    torch.testing.assert_close(probs[0, 32, 30],
                               torch.tensor(1 - expected), atol=1e-5, rtol=0)
    torch.testing.assert_close(probs[0, 5, 5], torch.tensor(1.), atol=1e-5,
                               rtol=0)
    out = model.predict(inputs, [sample()])[0]
    assert out.pred_sem_seg.data.shape == (1, SIZE, SIZE)
    assert out.seg_logits.data.shape == (7, SIZE, SIZE)
    pred = out.pred_sem_seg.data[0].numpy()
    assert set(np.unique(pred)) == {0, rules.OPEN}
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
    assert single_type(pred) == rules.SPUR


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
    not HAS_DEEPPCB, reason=f'DeepPCB copy not found at {DEEPPCB_ROOT}')
def test_real_deeppcb_pair():
    entry = rules.read_split(osp.join(DEEPPCB_PCBDATA, 'trainval.txt'))[0]
    test, ref = (cv2.imread(path)
                 for path in rules.pair_paths(DEEPPCB_PCBDATA, entry.img))
    inputs = torch.from_numpy(np.concatenate([test, ref], 2)).permute(
        2, 0, 1)[None].float()
    model = ClassicalDiffSegmentor().eval()
    pred = model.predict(inputs, [sample(*test.shape[:2])])[0]
    labels = pred.pred_sem_seg.data[0].numpy()
    boxes = rules.read_boxes(osp.join(DEEPPCB_PCBDATA, entry.boxes))
    found = right = 0
    for x1, y1, x2, y2, cls in boxes:
        region = labels[y1:y2, x1:x2]
        if region.any():
            found += 1
            right += np.bincount(region[region > 0]).argmax() == cls
    assert found >= 0.8 * len(boxes)
    assert right >= 0.8 * found

import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmdefect.datasets.deeppcb import read_deeppcb_boxes
from tests.conftest import REPO_ROOT
from tools.dataset_converters.deeppcb import (convert, derive_label,
                                              label_rel_path, main,
                                              pair_paths, read_split)

DEEPPCB = osp.normpath(osp.join(REPO_ROOT, '..', 'shared', 'data', 'DeepPCB'))
needs_deeppcb = pytest.mark.skipif(
    not osp.isfile(osp.join(DEEPPCB, 'PCBData', 'trainval.txt')),
    reason=f'DeepPCB copy not found at {DEEPPCB}')


def test_synthetic_pair_labels_difference_or_whole_box():
    template = np.full((64, 64), 255, np.uint8)
    template[:, 30:34] = 0
    test = template.copy()
    test[10:16, 20:28] = 0
    boxes = [(16, 6, 32, 20, 5), (40, 40, 50, 50, 2)]
    label, fallback = derive_label(test, template, boxes)
    expected = np.zeros_like(label)
    expected[10:16, 20:28] = 5
    expected[40:50, 40:50] = 2
    np.testing.assert_array_equal(label, expected)
    assert fallback == [False, True]


def test_difference_outside_boxes_and_noise_are_ignored():
    template = np.full((32, 32), 255, np.uint8)
    test = template.copy()
    test[4:10, 4:10] = 0
    test[20, 20] = 0
    label, _ = derive_label(test, template, [(18, 18, 24, 24, 6)])
    assert (label[4:10, 4:10] == 0).all()
    assert (label[18:24, 18:24] == 6).all()
    assert label.sum() == 36 * 6


def test_smaller_box_wins_where_boxes_overlap():
    image = np.full((32, 32), 255, np.uint8)
    boxes = [(10, 10, 14, 14, 6), (0, 0, 20, 20, 1)]
    label, _ = derive_label(image, image, boxes)
    assert (label[10:14, 10:14] == 6).all()
    assert (label[0:10, 0:20] == 1).all()


@needs_deeppcb
def test_real_pair_labels_only_inside_boxes():
    root = osp.join(DEEPPCB, 'PCBData')
    img_entry, ann_entry = read_split(osp.join(root, 'test.txt'))[0]
    test_path, temp_path = pair_paths(root, img_entry)
    assert test_path.endswith('_test.jpg') and osp.isfile(temp_path)
    boxes = read_deeppcb_boxes(osp.join(root, ann_entry))
    label, _ = derive_label(
        cv2.imread(test_path, cv2.IMREAD_GRAYSCALE),
        cv2.imread(temp_path, cv2.IMREAD_GRAYSCALE), boxes)
    assert label.shape == (640, 640) and label.dtype == np.uint8
    assert label.max() <= 6
    inside = np.zeros(label.shape, bool)
    for x1, y1, x2, y2, _ in boxes:
        inside[y1:y2, x1:x2] = True
    assert not label[~inside].any()
    assert set(np.unique(label)) - {0} == {b[4] for b in boxes}


@needs_deeppcb
def test_convert_limit_and_refuses_to_overwrite(tmp_path, capsys):
    out = str(tmp_path / 'labels')
    main([DEEPPCB, out, '--limit', '3', '--splits', 'test'])
    printed = capsys.readouterr().out
    assert 'test: 3 pairs' in printed and 'pin_hole' in printed
    entries = read_split(osp.join(DEEPPCB, 'PCBData', 'test.txt'))[:3]
    for img_entry, _ in entries:
        path = osp.join(out, 'ann_dir', label_rel_path(img_entry))
        label = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        assert label.ndim == 2 and label.max() <= 6 and label.any()
    with open(osp.join(out, 'label_stats.json')) as f:
        stats = json.load(f)['splits']['test']
    assert stats['pairs'] == 3
    assert sum(stats['pixels'].values()) == 3 * 640 * 640
    with pytest.raises(FileExistsError, match='--overwrite'):
        convert(DEEPPCB, out, splits=['test'], limit=1)
    with pytest.raises(SystemExit, match='not empty'):
        main([DEEPPCB, out, '--limit', '1'])
    kept = osp.join(out, 'keep.txt')
    open(kept, 'w').close()
    convert(
        osp.join(DEEPPCB, 'PCBData'),
        out,
        splits=['test'],
        limit=1,
        overwrite=True)
    assert osp.isfile(kept)
    assert sum(len(files) for _, _, files in os.walk(osp.join(
        out, 'ann_dir'))) == 1


def test_unknown_layout_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match='trainval.txt'):
        convert(str(tmp_path), str(tmp_path / 'out'))

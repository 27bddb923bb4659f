import os.path as osp

import cv2
import numpy as np
import pytest

from mmdefect.datasets.functional import deeppcb as rules
from mmdefect.testing import DEEPPCB_PCBDATA, DEEPPCB_ROOT, HAS_DEEPPCB

needs_deeppcb = pytest.mark.skipif(
    not HAS_DEEPPCB, reason=f'DeepPCB copy not found at {DEEPPCB_ROOT}')


def test_classes_follow_the_annotation_type_numbers():
    assert rules.DEEPPCB_CLASSES[rules.OPEN] == 'open'
    assert rules.DEEPPCB_CLASSES[rules.SPURIOUS_COPPER] == 'spurious_copper'
    assert rules.DEEPPCB_CLASSES[rules.PIN_HOLE] == 'pin_hole'
    assert rules.NUM_DEEPPCB_CLASSES == len(rules.DEEPPCB_PALETTE) == 7
    assert rules.DEEPPCB_SUBMISSION_NAMES[rules.SPURIOUS_COPPER] == 'copper'
    assert rules.DEEPPCB_SUBMISSION_NAMES[rules.PIN_HOLE] == 'pin-hole'


def test_split_lines_paths_and_line_numbers():
    lines = ['group1/1/0001.jpg group1/1_not/0001.txt\n', '\n',
             'group2\\2\\0002.jpg group2\\2_not\\0002.txt\n']
    entries = rules.parse_split_lines(lines, 'list.txt')
    assert entries == [('group1/1/0001.jpg', 'group1/1_not/0001.txt', 1),
                       ('group2/2/0002.jpg', 'group2/2_not/0002.txt', 3)]
    assert entries[1].line == 3
    assert rules.entry_stem(entries[1].img) == 'group2/2/0002'
    assert rules.label_rel_path(entries[1].img) == 'group2/0002.png'
    assert rules.pair_paths('/d', entries[0].img) == (
        '/d/group1/1/0001_test.jpg', '/d/group1/1/0001_temp.jpg')
    assert rules.pair_paths('/d', entries[0].img, '.png', '.bmp',
                            '/r') == ('/d/group1/1/0001.png',
                                      '/r/group1/1/0001.bmp')
    only_images = rules.parse_split_lines(['g/1/1.jpg\n'], 'l.txt',
                                          require_boxes=False)
    assert only_images == [('g/1/1.jpg', None, 1)]


@pytest.mark.parametrize('line', [
    'g/1/1.png g/1_not/1.txt', 'g/1/1.jpg', '1.jpg 1.txt',
    'g/1/1.jpg g/1_not/1.txt extra'
])
def test_bad_split_lines_name_the_list_and_line(line):
    with pytest.raises(ValueError, match=r'my.txt line 2: expected'):
        rules.parse_split_lines(['g/1/0.jpg g/1_not/0.txt', line], 'my.txt')


def test_read_split_and_find_pcbdata(tmp_path):
    with pytest.raises(FileNotFoundError, match='trainval.txt'):
        rules.find_pcbdata(str(tmp_path))
    data = tmp_path / 'PCBData'
    data.mkdir()
    for split in rules.DEEPPCB_SPLITS:
        (data / f'{split}.txt').write_text('g/1/0.jpg g/1_not/0.txt\n')
    assert rules.find_pcbdata(str(tmp_path)) == str(data)
    assert rules.find_pcbdata(str(data)) == str(data)
    assert rules.read_split(str(data / 'test.txt'))[0].boxes == \
        'g/1_not/0.txt'


def test_read_boxes_spaces_commas_and_errors(tmp_path):
    path = tmp_path / 'boxes.txt'
    path.write_text('1 2 5 6 3\n\n0,0,4,4,6\n')
    np.testing.assert_array_equal(
        rules.read_boxes(str(path)), [[1, 2, 5, 6, 3], [0, 0, 4, 4, 6]])
    assert rules.read_boxes(str(path)).dtype == np.int64
    path.write_text('')
    assert rules.read_boxes(str(path)).shape == (0, 5)
    path.write_text('1 2 5 6 3\n1 2 5 6 7\n')
    with pytest.raises(ValueError, match=r'boxes.txt line 2: type 7'):
        rules.read_boxes(str(path))
    path.write_text('1 2 5 3\n')
    with pytest.raises(ValueError, match=r'line 1: expected "x1 y1 x2 y2'):
        rules.read_boxes(str(path))


def test_copper_mask_polarity_and_colour():
    gray = np.array([[0, 127], [128, 255]], np.uint8)
    np.testing.assert_array_equal(
        rules.copper_mask(gray), [[True, True], [False, False]])
    np.testing.assert_array_equal(
        rules.copper_mask(gray, copper_dark=False),
        [[False, False], [True, True]])
    bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    np.testing.assert_array_equal(rules.copper_mask(bgr),
                                  rules.copper_mask(gray))


def test_copper_difference_kinds():
    test = np.array([True, True, False, False])
    ref = np.array([True, False, True, False])
    assert rules.copper_difference(test, ref, 'extra').tolist() == \
        [False, True, False, False]
    assert rules.copper_difference(test, ref, 'missing').tolist() == \
        [False, False, True, False]
    assert rules.copper_difference(test, ref).tolist() == \
        [False, True, True, False]
    with pytest.raises(ValueError, match="'extra', 'missing' or 'any'"):
        rules.copper_difference(test, ref, 'both')


def test_difference_mask_is_the_cleaned_binarised_difference():
    template = np.full((32, 32), 250, np.uint8)
    template[:, 10:14] = 5
    test = template.copy()
    test[20:26, 20:26] = 100  # dark enough to be copper: a 6x6 defect
    test[2, 2] = 0  # one-pixel noise, removed by the opening
    test[20:26, 10:14] = 140  # a cut in the track (bright: not copper)
    mask = rules.difference_mask(test, template)
    expected = np.zeros((32, 32), bool)
    expected[20:26, 20:26] = True
    expected[20:26, 10:14] = True
    np.testing.assert_array_equal(mask, expected)
    raw = rules.difference_mask(test, template, kernel=1)
    assert raw[2, 2] and raw.sum() == 36 + 24 + 1
    with pytest.raises(ValueError, match='differ in size'):
        rules.difference_mask(test, template[:-1])


def test_open_close_sizes():
    mask = np.zeros((9, 9), bool)
    mask[4, 4] = True
    assert not rules.open_close(mask, 3, 1).any()
    np.testing.assert_array_equal(rules.open_close(mask, 1, 1), mask)
    ring = np.zeros((9, 9), bool)
    ring[2:7, 2:7] = True
    ring[4, 4] = False
    assert rules.open_close(ring, 1, 3)[4, 4]


def test_synthetic_pair_labels_difference_or_whole_box():
    template = np.full((64, 64), 255, np.uint8)
    template[:, 30:34] = 0
    test = template.copy()
    test[10:16, 20:28] = 0
    boxes = [(16, 6, 32, 20, 5), (40, 40, 50, 50, 2)]
    label, fallback = rules.derive_label(test, template, boxes)
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
    label, _ = rules.derive_label(test, template, [(18, 18, 24, 24, 6)])
    assert (label[4:10, 4:10] == 0).all()
    assert (label[18:24, 18:24] == 6).all()
    assert label.sum() == 36 * 6


def test_smaller_box_wins_where_boxes_overlap():
    image = np.full((32, 32), 255, np.uint8)
    boxes = [(10, 10, 14, 14, 6), (0, 0, 20, 20, 1)]
    label, _ = rules.derive_label(image, image, boxes)
    assert (label[10:14, 10:14] == 6).all()
    assert (label[0:10, 0:20] == 1).all()


def test_boxes_are_clipped_to_the_image():
    image = np.full((16, 16), 255, np.uint8)
    label, fallback = rules.derive_label(
        image, image, [(-4, -4, 4, 4, 3), (20, 20, 30, 30, 2)])
    assert (label[:4, :4] == 3).all() and label.sum() == 16 * 3
    assert fallback == [True, False]


@needs_deeppcb
def test_real_pair_labels_only_inside_boxes():
    entry = rules.read_split(osp.join(DEEPPCB_PCBDATA, 'test.txt'))[0]
    test_path, temp_path = rules.pair_paths(DEEPPCB_PCBDATA, entry.img)
    assert osp.isfile(test_path) and osp.isfile(temp_path)
    boxes = rules.read_boxes(osp.join(DEEPPCB_PCBDATA, entry.boxes))
    label, _ = rules.derive_label(
        cv2.imread(test_path, cv2.IMREAD_GRAYSCALE),
        cv2.imread(temp_path, cv2.IMREAD_GRAYSCALE), boxes)
    assert label.shape == (640, 640) and label.dtype == np.uint8
    assert label.max() <= 6
    inside = np.zeros(label.shape, bool)
    for x1, y1, x2, y2, _ in boxes:
        inside[y1:y2, x1:x2] = True
    assert not label[~inside].any()
    assert set(np.unique(label)) - {0} == {b[4] for b in boxes}


def test_write_split_subset_evenly_spaced(tmp_path):
    root = tmp_path / 'PCBData'
    root.mkdir()
    lines = [f'g{i}/1/{i:04d}.jpg g{i}/1_not/{i:04d}.txt' for i in range(10)]
    # blank lines are skipped; a last line without newline still ends one
    (root / 'trainval.txt').write_text('\n'.join(lines[:5]) + '\n\n' +
                                       '\n'.join(lines[5:]))
    out = tmp_path / 'out'
    path = rules.write_split_subset(str(root), 'trainval', 4, str(out))
    assert osp.basename(path) == 'trainval_4pairs.txt'
    # lines round(i * 10 / 4) = 0, 2, 5, 8
    picked = [lines[i] + '\n' for i in (0, 2, 5, 8)]
    assert open(path).read() == ''.join(picked)
    # the same subset again is fine; another one under the name is refused
    assert rules.write_split_subset(str(root), 'trainval', 4, str(out)) == \
        path
    with open(path, 'w') as f:
        f.write('mine\n')
    with pytest.raises(FileExistsError, match='exists with other lines'):
        rules.write_split_subset(str(root), 'trainval', 4, str(out))
    assert open(path).read() == 'mine\n'
    with pytest.raises(ValueError, match='11 pairs asked.*has 10'):
        rules.write_split_subset(str(root), 'trainval', 11, str(out))
    with pytest.raises(ValueError, match="split must be one of"):
        rules.write_split_subset(str(root), 'val', 1, str(out))

import cv2
import numpy as np
import pytest

from mmdefect.datasets.transforms import LoadBinaryAnnotations
from mmdefect.datasets.transforms.load_binary_annotations import \
    binarise_mask


def _results(tmp_path, mask, image_shape=None, name='m.png'):
    path = str(tmp_path / name)
    cv2.imwrite(path, mask)
    results = dict(
        seg_map_path=path,
        img_path=str(tmp_path / 'img.jpg'),
        seg_fields=[],
        reduce_zero_label=False)
    if image_shape is not None:
        results['img'] = np.zeros(image_shape, np.uint8)
    return results


def test_binarises_at_127_128(tmp_path):
    mask = np.array([[0, 1, 126, 127], [128, 129, 200, 255]], np.uint8)
    out = LoadBinaryAnnotations()(_results(tmp_path, mask, (2, 4, 3)))
    assert out['gt_seg_map'].dtype == np.uint8
    assert out['gt_seg_map'].tolist() == [[0, 0, 0, 0], [1, 1, 1, 1]]
    assert out['seg_fields'] == ['gt_seg_map']
    out = LoadBinaryAnnotations(threshold=200)(_results(tmp_path, mask))
    assert out['gt_seg_map'].tolist() == [[0, 0, 0, 0], [0, 0, 0, 1]]


def test_colour_mask_uses_channel_maximum(tmp_path):
    mask = np.zeros((3, 3, 3), np.uint8)
    mask[0, 0] = (0, 0, 200)  # one channel only
    mask[1, 1] = (100, 100, 100)
    out = LoadBinaryAnnotations()(_results(tmp_path, mask, (3, 3, 3)))
    assert out['gt_seg_map'].tolist() == [[1, 0, 0], [0, 0, 0], [0, 0, 0]]
    assert binarise_mask(mask).tolist() == out['gt_seg_map'].tolist()


def test_zero_one_masks_need_threshold_zero(tmp_path):
    mask = np.array([[0, 1], [1, 0]], np.uint8)
    with pytest.raises(
            ValueError, match='only the values 0 and 1.*'
            'threshold=0') as err:
        LoadBinaryAnnotations()(_results(tmp_path, mask))
    assert str(tmp_path / 'm.png') in str(err.value)
    out = LoadBinaryAnnotations(threshold=0)(_results(tmp_path, mask))
    assert out['gt_seg_map'].tolist() == [[0, 1], [1, 0]]


def test_size_mismatch_names_both_files(tmp_path):
    results = _results(tmp_path, np.zeros((30, 40), np.uint8), (32, 48, 3))
    with pytest.raises(ValueError) as err:
        LoadBinaryAnnotations()(results)
    message = str(err.value)
    assert results['seg_map_path'] in message
    assert results['img_path'] in message
    assert '40x30' in message and '48x32' in message


def test_missing_and_broken_masks_are_named(tmp_path):
    results = dict(
        seg_map_path=str(tmp_path / 'gone.png'),
        img_path='a/img.jpg',
        seg_fields=[],
        reduce_zero_label=False)
    with pytest.raises(FileNotFoundError, match='gone.png.*a/img.jpg'):
        LoadBinaryAnnotations()(results)
    broken = tmp_path / 'broken.png'
    broken.write_bytes(b'not an image')
    results['seg_map_path'] = str(broken)
    with pytest.raises(OSError, match='broken.png'):
        LoadBinaryAnnotations()(results)


def test_rejects_label_remapping():
    with pytest.raises(ValueError, match='reduce_zero_label'):
        LoadBinaryAnnotations(reduce_zero_label=True)
    with pytest.raises(ValueError, match='threshold'):
        LoadBinaryAnnotations(threshold=255)


def test_size_check_is_the_shared_label_size_check(tmp_path):
    """One size check in the tree (check_label_size): its message names the
    option that relaxes it, 'resize' resizes the mask nearest-neighbour, a
    mask of the original size after the image was resized is accepted."""
    mask = np.zeros((30, 40), np.uint8)
    mask[:15, :20] = 255
    with pytest.raises(ValueError,
                       match='label_size_policy="resize" in '
                       'LoadBinaryAnnotations'):
        LoadBinaryAnnotations()(_results(tmp_path, mask, (60, 80, 3)))
    out = LoadBinaryAnnotations(label_size_policy='resize')(
        _results(tmp_path, mask, (60, 80, 3)))
    assert out['gt_seg_map'].shape == (60, 80)
    assert out['gt_seg_map'][:30, :40].all()
    assert out['gt_seg_map'].sum() == 30 * 40
    assert out['seg_fields'] == ['gt_seg_map']
    resized_first = _results(tmp_path, mask, (60, 80, 3))
    resized_first['ori_shape'] = (30, 40)
    out = LoadBinaryAnnotations()(resized_first)
    assert out['gt_seg_map'].shape == (30, 40)
    with pytest.raises(ValueError, match='label_size_policy must be one of'):
        LoadBinaryAnnotations(label_size_policy='crop')

import numpy as np
import pytest
import torch
from mmseg.structures import SegDataSample

from mmdefect.datasets.transforms import PackPairedSegInputs


def results(seg_value=1):
    img = np.zeros((4, 5, 3), np.uint8)
    img[..., 0], img[..., 1], img[..., 2] = 1, 2, 3
    ref = img + 10
    seg = np.full((4, 5), seg_value, np.uint8)
    return dict(img=img, ref_img=ref, gt_seg_map=seg, img_path='i.png',
                ref_path='r.png', seg_map_path='s.png', img_shape=(4, 5),
                ori_shape=(4, 5), num_classes=2, ignore_index=255)


def test_six_channel_input_and_metainfo():
    packed = PackPairedSegInputs()(results())
    inputs = packed['inputs']
    assert inputs.shape == (6, 4, 5)
    assert inputs.dtype == torch.uint8
    assert inputs[:, 0, 0].tolist() == [1, 2, 3, 11, 12, 13]
    sample = packed['data_samples']
    assert isinstance(sample, SegDataSample)
    assert sample.gt_sem_seg.data.shape == (1, 4, 5)
    assert sample.ref_path == 'r.png'
    assert sample.img_path == 'i.png'


def test_ignore_index_is_accepted():
    packed = PackPairedSegInputs()(results(seg_value=255))
    assert (packed['data_samples'].gt_sem_seg.data == 255).all()


def test_out_of_range_label_names_the_file():
    with pytest.raises(ValueError, match=r's.png has values \[7\]'):
        PackPairedSegInputs()(results(seg_value=7))


def test_missing_or_misshaped_reference():
    res = results()
    del res['ref_img']
    with pytest.raises(KeyError, match='LoadRefImageFromFile'):
        PackPairedSegInputs()(res)
    res = results()
    res['ref_img'] = res['ref_img'][:3]
    with pytest.raises(ValueError, match='PairedTransform'):
        PackPairedSegInputs()(res)


def test_data_set_keys_come_from_the_pipeline_not_the_defaults():
    res = results()
    res['gt_boxes'] = np.array([[0, 0, 2, 2, 1]])
    assert 'gt_boxes' not in PackPairedSegInputs()(dict(res))[
        'data_samples'].metainfo
    packed = PackPairedSegInputs(meta_keys=('img_path', 'gt_boxes'))(res)
    np.testing.assert_array_equal(packed['data_samples'].gt_boxes,
                                  [[0, 0, 2, 2, 1]])
    assert 'ref_path' not in packed['data_samples'].metainfo

import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest

from mmdefect.datasets import KSDD2Dataset

# mmengine's serialisation (a full gc.collect) is what makes building
# datasets slow in a test process; it does not change the data lists.
FAST = dict(serialize_data=False)

PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(type='LoadBinaryAnnotations'),
    dict(type='PackPairedSegInputs'),
]


def _ids(dataset):
    return sorted(
        osp.basename(dataset.get_data_info(i)['img_path'])[:-4]
        for i in range(len(dataset)))


def test_layout_and_counts(ksdd2_standin):
    root, written = ksdd2_standin
    train = KSDD2Dataset(split='train', data_root=root, **FAST)
    assert _ids(train) == sorted(written['train']['normal'])
    test = KSDD2Dataset(split='test', data_root=root, **FAST)
    assert _ids(test) == sorted(written['test']['normal'] +
                                written['test']['defective'])
    for i in range(len(test)):
        info = test.get_data_info(i)
        assert info['seg_map_path'] == info['img_path'][:-4] + '_GT.png'
        name = osp.basename(info['img_path'])[:-4]
        assert info['is_defective'] == (name in written['test']['defective'])


def test_labels_through_pipeline(ksdd2_standin):
    root, written = ksdd2_standin
    test = KSDD2Dataset(
        split='test', data_root=root, pipeline=PIPELINE, **FAST)
    for i in range(len(test)):
        info = test.get_data_info(i)
        sample = test[i]['data_samples']
        label = sample.gt_sem_seg.data[0].numpy()
        mask = cv2.imread(info['seg_map_path'], cv2.IMREAD_GRAYSCALE)
        assert np.array_equal(label, (mask > 127).astype(np.uint8))
        assert bool(label.any()) == info['is_defective']


def test_missing_and_mismatched_masks(ksdd2_standin, tmp_path):
    root, written = ksdd2_standin
    copy = str(tmp_path / 'ksdd2')
    shutil.copytree(root, copy)
    victim = written['test']['defective'][0]
    gt = osp.join(copy, 'test', f'{victim}_GT.png')
    mask = cv2.imread(gt, cv2.IMREAD_GRAYSCALE)
    cv2.imwrite(gt, cv2.resize(mask, (mask.shape[1] + 3, mask.shape[0])))
    dataset = KSDD2Dataset(
        split='test', data_root=copy, pipeline=PIPELINE, **FAST)
    index = _ids(dataset).index(victim)
    with pytest.raises(RuntimeError) as err:
        dataset[index]
    message = str(err.value)
    assert gt in message and osp.join(copy, 'test', f'{victim}.png') in \
        message
    assert f'{mask.shape[1] + 3}x{mask.shape[0]}' in message
    os.remove(gt)
    with pytest.raises(FileNotFoundError, match='masks are missing') as err:
        KSDD2Dataset(split='test', data_root=copy, **FAST)
    assert gt in str(err.value)
    with pytest.raises(FileNotFoundError, match='image folder'):
        KSDD2Dataset(
            split='train', data_root=str(tmp_path / 'nothing'), **FAST)

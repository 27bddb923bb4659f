import os.path as osp

import cv2
import numpy as np
import pytest

from mmdefect.datasets import MVTecSupervisedDataset
from mmdefect.datasets.mvtec_supervised import MVTEC_CATEGORIES

PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackPairedSegInputs'),
]


def write_layout(root, categories=('bottle', 'screw'), ref_dir='ref_dir'):
    """The converter's layout: one crack image per category (label = the
    category's class index on the defect) and one good image."""
    for value, cat in enumerate(categories):
        for name in ('crack_000', 'good_001'):
            img = np.full((8, 8, 3), 40 * value + 10, np.uint8)
            label = np.zeros((8, 8), np.uint8)
            if name.startswith('crack'):
                label[2:4, 2:4] = MVTEC_CATEGORIES.index(cat) + 1
            for folder, array in (('img_dir', img), ('ann_dir', label)):
                path = root / folder / 'train' / cat / f'{name}.png'
                path.parent.mkdir(parents=True, exist_ok=True)
                cv2.imwrite(str(path), array)
        ref = root / ref_dir / f'{cat}.png'
        ref.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(ref), np.full((8, 8, 3), 200 + value, np.uint8))


def dataset(root, **kwargs):
    return MVTecSupervisedDataset(
        data_root=str(root),
        data_prefix=dict(
            img_path='img_dir/train', seg_map_path='ann_dir/train'),
        pipeline=PIPELINE,
        **kwargs)


def test_one_reference_and_one_class_per_category(tmp_path):
    write_layout(tmp_path)
    ds = dataset(tmp_path)
    classes = ds.metainfo['classes']
    assert len(classes) == 16 and classes[0] == 'background'
    assert classes[MVTEC_CATEGORIES.index('screw') + 1] == 'screw'
    assert len(ds.metainfo['palette']) == 16
    assert len(ds) == 4
    for idx in range(len(ds)):
        info = ds.get_data_info(idx)
        category = osp.basename(osp.dirname(info['img_path']))
        assert info['ref_path'] == osp.join(
            str(tmp_path), 'ref_dir', f'{category}.png')
        item = ds[idx]
        ref = cv2.imread(info['ref_path'])
        np.testing.assert_array_equal(
            item['inputs'][3:].permute(1, 2, 0).numpy(), ref)
        seg = item['data_samples'].gt_sem_seg.data
        expected = {0, classes.index(category)} \
            if 'crack' in info['img_path'] else {0}
        assert set(np.unique(seg.numpy()).tolist()) == expected


def test_ref_dir_and_missing_references(tmp_path):
    write_layout(tmp_path, ref_dir='refs')
    with pytest.raises(
            FileNotFoundError,
            match=r'4 of 4 reference images are missing, e.g. '
            r'.*ref_dir.bottle.png'):
        dataset(tmp_path)
    assert dataset(
        tmp_path, ref_dir='refs').get_data_info(0)['ref_path'].endswith(
            osp.join('refs', 'bottle.png'))


def test_unknown_category_is_named(tmp_path):
    write_layout(tmp_path, categories=('bottle', ))
    extra = tmp_path / 'img_dir' / 'train' / 'spoon' / 'good_000.png'
    extra.parent.mkdir(parents=True)
    cv2.imwrite(str(extra), np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(KeyError, match=r"no fixed_ref for category 'spoon'"):
        dataset(tmp_path)

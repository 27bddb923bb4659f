import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest

from mmdefect.datasets import MTDDataset
from mmdefect.datasets.transforms import LoadBinaryAnnotations
from mmdefect.testing import DATA_ROOT

# mmengine's serialisation (a full gc.collect) is what makes building
# datasets slow in a test process; it does not change the data lists.
FAST = dict(serialize_data=False)

REAL_MTD = osp.join(DATA_ROOT, 'MTD')


def _stems(dataset, root):
    return [
        osp.relpath(dataset.get_data_info(i)['img_path'], root)[:-4]
        for i in range(len(dataset))
    ]


def test_fixed_split_on_standin(mtd_standin):
    root, written = mtd_standin
    train = MTDDataset(split='train', data_root=root, **FAST)
    test = MTDDataset(split='test', data_root=root, **FAST)
    assert _stems(train, root) == written['train']
    assert _stems(test, root) == written['test']
    info = test.get_data_info(len(test) - 1)
    assert info['img_path'].endswith('.jpg')
    assert info['seg_map_path'] == info['img_path'][:-4] + '.png'
    assert info['ref_path'] == info['img_path']
    defective = [
        test.get_data_info(i)['is_defective'] for i in range(len(test))
    ]
    assert sum(defective) == len(written['defective'])
    assert {test.get_data_info(i)['defect_class']
            for i in range(len(test))
            } == {'free', 'blowhole', 'break', 'crack', 'fray', 'uneven'}
    normal_test = MTDDataset(
        split='test', data_root=root, normal_only=True, **FAST)
    assert len(normal_test) == len(test) - len(written['defective'])


def test_holdout_complement(mtd_standin):
    root, written = mtd_standin
    held = MTDDataset(
        split='train',
        data_root=root,
        holdout=dict(every=3, subset='held_out'),
        **FAST)
    rest = MTDDataset(
        split='train',
        data_root=root,
        holdout=dict(every=3, subset='rest'),
        **FAST)
    assert _stems(held, root) == written['train'][::3]
    assert sorted(_stems(held, root) + _stems(rest, root)) == sorted(
        written['train'])


def test_soft_masks_binarise_like_value_over_127(mtd_standin):
    root, written = mtd_standin
    dataset = MTDDataset(split='test', data_root=root, **FAST)
    info = dataset.get_data_info(len(dataset) - 3)  # a defective one
    mask = cv2.imread(info['seg_map_path'], cv2.IMREAD_UNCHANGED)
    assert ((mask > 0) & (mask < 255)).any()  # soft edges in the stand-in
    image = cv2.imread(info['img_path'])
    out = LoadBinaryAnnotations()(dict(info, img=image))
    assert np.array_equal(out['gt_seg_map'], (mask > 127).astype(np.uint8))


def test_bad_input_names_the_file(mtd_standin, tmp_path):
    root, written = mtd_standin
    copy = str(tmp_path / 'MTD')
    shutil.copytree(root, copy)
    missing = osp.join(copy, written['train'][2] + '.png')
    os.remove(missing)
    with pytest.raises(FileNotFoundError, match='masks are missing') as err:
        MTDDataset(split='train', data_root=copy, **FAST)
    assert missing in str(err.value)
    with open(osp.join(copy, 'splits', 'train.txt'), 'a') as f:
        f.write('Imgs/stray_image\n')
    with pytest.raises(ValueError, match=r'train.txt line \d+'):
        MTDDataset(split='train', data_root=copy, **FAST)
    with pytest.raises(FileNotFoundError, match='splits/val.txt'):
        MTDDataset(
            split='test', data_root=copy, ann_file='splits/val.txt', **FAST)


@pytest.mark.skipif(
    not osp.isfile(osp.join(REAL_MTD, 'splits', 'train.txt')),
    reason=f'the real MTD is not at {REAL_MTD} (set MMDEFECT_DATA_ROOT)')
def test_real_mtd_counts():
    train = MTDDataset(split='train', data_root=REAL_MTD, **FAST)
    test = MTDDataset(split='test', data_root=REAL_MTD, **FAST)
    assert len(train) == 761 and len(test) == 583
    defective = sum(
        test.get_data_info(i)['is_defective'] for i in range(len(test)))
    assert defective == 392
    held = MTDDataset(
        split='train',
        data_root=REAL_MTD,
        holdout=dict(every=10, subset='held_out'),
        **FAST)
    rest = MTDDataset(
        split='train', data_root=REAL_MTD, holdout=dict(every=10), **FAST)
    assert (len(held), len(rest)) == (77, 684)
    info = test.get_data_info(len(test) - 1)
    out = LoadBinaryAnnotations()(dict(info, img=cv2.imread(info['img_path'])))
    assert out['gt_seg_map'].shape == out['img'].shape[:2]

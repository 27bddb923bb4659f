import os.path as osp

import cv2
import numpy as np
import pytest

from mmdefect.datasets import RSDDDataset
from mmdefect.datasets.transforms import LoadBinaryAnnotations

# mmengine's serialisation (a full gc.collect) is what makes building
# datasets slow in a test process; it does not change the data lists.
FAST = dict(serialize_data=False)


def test_layout_types_and_jpeg_masks(rsdd_standin):
    root, written = rsdd_standin
    dataset = RSDDDataset(data_root=root, **FAST)
    assert len(dataset) == 5
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        folder = f'Type-{info["rail_type"]} RSDDs dataset'
        name = osp.basename(info['img_path'])
        assert info['img_path'] == osp.join(root, folder,
                                            'Rail surface images', name)
        assert info['seg_map_path'] == osp.join(root, folder, 'GroundTruth',
                                                name)
        assert info['is_defective']
        mask = cv2.imread(info['seg_map_path'], cv2.IMREAD_GRAYSCALE)
        out = LoadBinaryAnnotations()(
            dict(info, img=cv2.imread(info['img_path'])))
        assert np.array_equal(out['gt_seg_map'], (mask > 127).astype(np.uint8))
    only_two = RSDDDataset(data_root=root, types=['II'], **FAST)
    assert len(only_two) == len(written['II'])
    assert {
        only_two.get_data_info(i)['rail_type']
        for i in range(len(only_two))
    } == {'II'}


def test_test_only(rsdd_standin):
    root, _ = rsdd_standin
    with pytest.raises(ValueError, match="split must be one of"):
        RSDDDataset(data_root=root, split='train', **FAST)
    with pytest.raises(ValueError, match='types'):
        RSDDDataset(data_root=root, types=['III'], **FAST)
    with pytest.raises(FileNotFoundError, match='Rail surface images'):
        RSDDDataset(data_root=osp.dirname(root), **FAST)

import os.path as osp

import pytest

from mmdefect.datasets import SynSurfaceDataset

FAST = dict(serialize_data=False)


def _stems(dataset):
    return [
        osp.basename(dataset.get_data_info(i)['img_path'])[:-4]
        for i in range(len(dataset))
    ]


def test_splits_follow_the_manifest(synsurface_root):
    root, manifest = synsurface_root
    by_split = {}
    for rec in manifest['samples']:
        by_split.setdefault(rec['split'], []).append(rec)
    for split, records in by_split.items():
        dataset = SynSurfaceDataset(split=split, data_root=root, **FAST)
        assert dataset.normal_only == (split == 'train')
        assert _stems(dataset) == [r['stem'] for r in records]
        for i, rec in enumerate(records):
            info = dataset.get_data_info(i)
            assert info['ref_path'] == info['img_path']
            assert info['seg_map_path'] == osp.join(root, 'ann_dir', split,
                                                    rec['stem'] + '.png')
            assert info['is_defective'] == (rec['kind'] != 'normal')
    calibration = SynSurfaceDataset(
        split='val', data_root=root, normal_only=True, **FAST)
    assert _stems(calibration) == [
        r['stem'] for r in by_split['val'] if r['kind'] == 'normal'
    ]


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match='img_dir/test'):
        SynSurfaceDataset(split='test', data_root=str(tmp_path), **FAST)

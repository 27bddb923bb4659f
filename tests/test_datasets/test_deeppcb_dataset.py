import os.path as osp

import cv2
import numpy as np
import pytest

from mmdefect.datasets import DeepPCBDataset
from mmdefect.testing import DEEPPCB_PCBDATA as PCBDATA
from mmdefect.testing import DEEPPCB_ROOT, HAS_DEEPPCB, run_tool

PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackPairedSegInputs', meta_keys=('img_path', 'gt_boxes')),
]


@pytest.mark.skipif(
    not HAS_DEEPPCB, reason=f'DeepPCB copy not found at {DEEPPCB_ROOT}')
def test_real_pairs_through_paired_pipeline(tmp_path):
    out = str(tmp_path / 'labels')
    run_tool([
        'tools/dataset_converters/deeppcb.py', DEEPPCB_ROOT, out, '--splits',
        'trainval', '--limit', '10'
    ])
    with open(osp.join(PCBDATA, 'trainval.txt')) as f:
        lines = [line for line in f if line.strip()][:10]
    subset = tmp_path / 'trainval10.txt'
    subset.write_text(''.join(lines))
    ds = DeepPCBDataset(
        data_root=PCBDATA,
        ann_file=str(subset),
        data_prefix=dict(img_path='', seg_map_path=osp.join(out, 'ann_dir')),
        pipeline=PIPELINE)
    assert len(ds) == 10
    assert len(ds.metainfo['classes']) == 7
    assert ds.metainfo['classes'][6] == 'pin_hole'
    info = ds.get_data_info(0)
    group, sub, name = lines[0].split()[0].split('/')
    stem = name[:-len('.jpg')]
    assert info['img_path'] == osp.join(PCBDATA, group, sub,
                                        stem + '_test.jpg')
    assert info['ref_path'].endswith('_temp.jpg')
    assert info['ref_path'] == osp.join(PCBDATA, group, sub,
                                        stem + '_temp.jpg')
    assert info['seg_map_path'] == osp.join(out, 'ann_dir', group,
                                            stem + '.png')
    for idx in (0, 9):
        item = ds[idx]
        assert item['inputs'].shape == (6, 640, 640)
        ref = cv2.imread(ds.get_data_info(idx)['ref_path'])
        np.testing.assert_array_equal(
            item['inputs'][3:].permute(1, 2, 0).numpy(), ref)
        seg = item['data_samples'].gt_sem_seg.data
        assert seg.shape == (1, 640, 640)
        assert 0 < int(seg.max()) <= 6
        np.testing.assert_array_equal(item['data_samples'].gt_boxes,
                                      ds.get_data_info(idx)['gt_boxes'])

    with pytest.raises(FileNotFoundError, match='label maps are missing'):
        DeepPCBDataset(
            data_root=PCBDATA,
            ann_file='trainval.txt',
            data_prefix=dict(
                img_path='', seg_map_path=osp.join(out, 'ann_dir')))
    unlabelled = DeepPCBDataset(
        data_root=PCBDATA, ann_file='test.txt', data_prefix=dict(img_path=''))
    assert len(unlabelled) == 500
    assert 'seg_map_path' not in unlabelled.get_data_info(0)


def test_split_list_errors(tmp_path):
    bad = tmp_path / 'bad.txt'
    bad.write_text('group1/1/0001.png group1/1_not/0001.txt\n')
    with pytest.raises(ValueError, match='line 1'):
        DeepPCBDataset(data_root=str(tmp_path), ann_file='bad.txt')
    with pytest.raises(ValueError, match='needs ann_file'):
        DeepPCBDataset(data_root=str(tmp_path))


def test_template_beside_the_test_image(tmp_path):
    folder = tmp_path / 'group1' / '1'
    folder.mkdir(parents=True)
    (tmp_path / 'group1' / '1_not').mkdir()
    (tmp_path / 'group1' / '1_not' / '0001.txt').write_text(
        '1 2 5 6 3\n\n0,0,4,4,6\n')
    image = np.zeros((8, 8, 3), np.uint8)
    cv2.imwrite(str(folder / '0001_test.jpg'), image)
    cv2.imwrite(str(folder / '0001_temp.jpg'), image)
    (tmp_path / 'list.txt').write_text(
        'group1/1/0001.jpg group1/1_not/0001.txt\n')
    ds = DeepPCBDataset(
        data_root=str(tmp_path),
        ann_file='list.txt',
        data_prefix=dict(img_path='', seg_map_path='labels'),
        check_files=False)
    info = ds.get_data_info(0)
    np.testing.assert_array_equal(info['gt_boxes'],
                                  [[1, 2, 5, 6, 3], [0, 0, 4, 4, 6]])
    assert info['ref_path'] == str(folder / '0001_temp.jpg')
    assert info['seg_map_path'] == str(tmp_path / 'labels' / 'group1' /
                                       '0001.png')
    (tmp_path / 'group1' / '1' / '0001_temp.jpg').unlink()
    with pytest.raises(FileNotFoundError, match='0001_temp.jpg'):
        DeepPCBDataset(
            data_root=str(tmp_path),
            ann_file='list.txt',
            data_prefix=dict(img_path=''))


def test_box_file_errors_name_the_file_and_line(tmp_path):
    folder = tmp_path / 'g' / '1'
    folder.mkdir(parents=True)
    (tmp_path / 'g' / '1_not').mkdir()
    image = np.zeros((8, 8, 3), np.uint8)
    cv2.imwrite(str(folder / '0001_test.jpg'), image)
    cv2.imwrite(str(folder / '0001_temp.jpg'), image)
    (tmp_path / 'list.txt').write_text('g/1/0001.jpg g/1_not/0001.txt\n')
    kwargs = dict(data_root=str(tmp_path), ann_file='list.txt',
                  data_prefix=dict(img_path=''))
    with pytest.raises(FileNotFoundError,
                       match=r'list.txt line 1: box file .*0001.txt'):
        DeepPCBDataset(**kwargs)
    box_file = tmp_path / 'g' / '1_not' / '0001.txt'
    box_file.write_text('1 2 5 6 3\n1 2 5 6 7\n')
    with pytest.raises(ValueError, match=r'0001.txt line 2: type 7'):
        DeepPCBDataset(**kwargs)
    box_file.write_text('1 2 5 3\n')
    with pytest.raises(ValueError, match=r'line 1: expected "x1 y1 x2 y2'):
        DeepPCBDataset(**kwargs)

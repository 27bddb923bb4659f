import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmdefect.datasets import BasePairedDataset

META = dict(classes=('background', 'defect'), palette=[[0, 0, 0], [255, 0, 0]])
PREFIX = dict(img_path='img_dir/train', ref_path='ref_dir/train',
              seg_map_path='ann_dir/train')
PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackPairedSegInputs'),
]


def build(root, **kwargs):
    kwargs.setdefault('data_prefix', PREFIX)
    return BasePairedDataset(data_root=root, metainfo=META, img_suffix='.png',
                             **kwargs)


def test_per_sample_rule_pairs_by_stem(toy_root):
    ds = build(toy_root, pipeline=PIPELINE)
    assert len(ds) == 8
    info = ds.get_data_info(3)
    assert info['img_path'].endswith(osp.join('img_dir', 'train', '0003.png'))
    assert info['ref_path'].endswith(osp.join('ref_dir', 'train', '0003.png'))
    assert info['seg_map_path'].endswith(
        osp.join('ann_dir', 'train', '0003.png'))
    assert info['num_classes'] == 2
    item = ds[3]
    inputs = item['inputs']
    assert inputs.shape == (6, 64, 64)
    ref = cv2.imread(info['ref_path'])
    np.testing.assert_array_equal(inputs[3:].permute(1, 2, 0).numpy(), ref)


def test_ann_file_with_stems_and_with_explicit_pairs(toy_root, tmp_path):
    stems = tmp_path / 'stems.txt'
    stems.write_text('0001\n0005\n')
    ds = build(toy_root, ann_file=str(stems))
    assert [osp.basename(d['img_path']) for d in ds] == \
        ['0001.png', '0005.png']
    pairs = tmp_path / 'pairs.txt'
    pairs.write_text('0002.png 0007.png\n0003.png 0003.png 0004.png\n')
    ds = build(toy_root, ann_file=str(pairs))
    first, second = ds.get_data_info(0), ds.get_data_info(1)
    assert first['ref_path'].endswith(osp.join('ref_dir', 'train',
                                               '0007.png'))
    assert first['seg_map_path'].endswith(
        osp.join('ann_dir', 'train', '0002.png'))
    assert second['seg_map_path'].endswith(
        osp.join('ann_dir', 'train', '0004.png'))


def test_bad_ann_line_is_located(toy_root, tmp_path):
    bad = tmp_path / 'bad.txt'
    bad.write_text('0001\na b c d\n')
    with pytest.raises(ValueError, match='bad.txt line 2'):
        build(toy_root, ann_file=str(bad))


def test_fixed_reference_single_and_per_category(toy_root, tmp_path):
    ds = build(toy_root, ref_mode='fixed', fixed_ref='ref_dir/train/0000.png')
    assert {d['ref_path'] for d in ds} == {
        osp.join(toy_root, 'ref_dir/train/0000.png')
    }
    root = tmp_path / 'cats'
    for cat in ('bottle', 'screw'):
        os.makedirs(root / 'img' / cat)
        cv2.imwrite(str(root / 'img' / cat / 'a.png'),
                    np.zeros((8, 8, 3), np.uint8))
        cv2.imwrite(str(root / f'{cat}_good.png'),
                    np.zeros((8, 8, 3), np.uint8))
    ds = build(str(root), data_prefix=dict(img_path='img'), ref_mode='fixed',
               fixed_ref=dict(bottle='bottle_good.png',
                              screw='screw_good.png'))
    refs = sorted(osp.basename(d['ref_path']) for d in ds)
    assert refs == ['bottle_good.png', 'screw_good.png']
    with pytest.raises(KeyError, match="category 'screw'"):
        build(str(root), data_prefix=dict(img_path='img'), ref_mode='fixed',
              fixed_ref=dict(bottle='bottle_good.png'))


def test_self_reference(toy_root):
    ds = build(toy_root, ref_mode='self', pipeline=PIPELINE)
    info = ds.get_data_info(0)
    assert info['ref_path'] == info['img_path']
    inputs = ds[0]['inputs']
    assert (inputs[:3] == inputs[3:]).all()


def test_missing_reference_is_reported_at_load(toy_root, tmp_path):
    root = tmp_path / 'partial'
    for sub in ('img_dir/train', 'ref_dir/train'):
        os.makedirs(root / sub)
    for name in ('a.png', 'b.png'):
        cv2.imwrite(str(root / 'img_dir/train' / name),
                    np.zeros((8, 8, 3), np.uint8))
    cv2.imwrite(str(root / 'ref_dir/train/a.png'),
                np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(FileNotFoundError,
                       match=r'1 of 2 reference images.*b\.png'):
        build(str(root), data_prefix=dict(img_path='img_dir/train',
                                          ref_path='ref_dir/train'))


def test_empty_split_and_bad_arguments(tmp_path):
    os.makedirs(tmp_path / 'img_dir' / 'val')
    with pytest.raises(ValueError, match='no samples found'):
        build(str(tmp_path), data_prefix=dict(img_path='img_dir/val',
                                              ref_path='ref_dir/val'))
    with pytest.raises(FileNotFoundError, match='image folder'):
        build(str(tmp_path), data_prefix=dict(img_path='missing'))
    with pytest.raises(ValueError, match='ref_mode'):
        build(str(tmp_path), ref_mode='nearest')
    with pytest.raises(ValueError, match='fixed_ref'):
        build(str(tmp_path), ref_mode='fixed')


def test_wrong_label_values_fail_with_file_name(tmp_path):
    root = tmp_path / 'labels'
    for sub in ('img_dir/train', 'ref_dir/train', 'ann_dir/train'):
        os.makedirs(root / sub)
    img = np.zeros((8, 8, 3), np.uint8)
    cv2.imwrite(str(root / 'img_dir/train/x.png'), img)
    cv2.imwrite(str(root / 'ref_dir/train/x.png'), img)
    cv2.imwrite(str(root / 'ann_dir/train/x.png'),
                np.full((8, 8), 3, np.uint8))
    ds = build(str(root), pipeline=PIPELINE)
    with pytest.raises(RuntimeError, match=r'x\.png has values \[3\]'):
        ds[0]


def corrupt_copy(toy_root, tmp_path):
    import shutil
    root = tmp_path / 'corrupt'
    shutil.copytree(toy_root, root)
    bad = root / 'img_dir' / 'train' / '0002.png'
    bad.write_bytes(bad.read_bytes()[:40])  # truncated PNG
    return str(root)


def test_corrupt_image_fails_fast_with_its_path(toy_root, tmp_path):
    ds = build(corrupt_copy(toy_root, tmp_path), pipeline=PIPELINE)
    ds[1]
    with pytest.raises(RuntimeError, match=r'sample 2 \(img_path=.*0002\.png'):
        ds[2]


def test_corrupt_image_is_skipped_and_counted(toy_root, tmp_path):
    ds = build(corrupt_copy(toy_root, tmp_path), pipeline=PIPELINE,
               on_bad_sample='skip')
    item = ds[2]
    assert item['inputs'].shape == (6, 64, 64)
    assert not item['data_samples'].img_path.endswith('0002.png')
    assert ds.bad_samples == 1
    with pytest.raises(ValueError, match='on_bad_sample'):
        build(toy_root, on_bad_sample='ignore')

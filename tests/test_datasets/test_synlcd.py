import os
import os.path as osp
import re
import shutil

import cv2
import numpy as np
import pytest

from mmdefect.datasets import SynLCDDataset
from mmdefect.datasets.synthesis import SynLCDGenerator

PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadRefImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackPairedSegInputs'),
]


@pytest.fixture(scope='module')
def synlcd_root(tmp_path_factory):
    """A tiny SynLCD written by the library's generator."""
    root = tmp_path_factory.mktemp('synlcd') / 'synlcd'
    SynLCDGenerator(
        root, num_train=10, num_test=4, size=32, seed=0).run(progress=False)
    return str(root)


def dataset(root, split='train', **kwargs):
    return SynLCDDataset(
        data_root=root,
        data_prefix=dict(
            img_path=f'img_dir/{split}',
            ref_path=f'ref_dir/{split}',
            seg_map_path=f'ann_dir/{split}'),
        pipeline=PIPELINE,
        **kwargs)


def test_generated_pairs_load_with_their_own_references(synlcd_root):
    train, test = dataset(synlcd_root), dataset(synlcd_root, 'test')
    assert (len(train), len(test)) == (10, 4)
    assert train.metainfo['classes'] == ('background', 'line', 'abpt')
    for info in map(train.get_data_info, range(len(train))):
        rel = osp.relpath(info['img_path'],
                          osp.join(synlcd_root, 'img_dir', 'train'))
        assert info['ref_path'] == osp.join(synlcd_root, 'ref_dir', 'train',
                                            rel)
        assert info['seg_map_path'] == osp.join(synlcd_root, 'ann_dir',
                                                'train', rel)
        assert info['num_classes'] == 3
    labels = set()
    for idx in range(len(train)):
        item = train[idx]
        assert item['inputs'].shape == (6, 32, 32)
        seg = item['data_samples'].gt_sem_seg.data
        labels |= set(np.unique(seg.numpy()).tolist())
        # the reference is a different image than the inspected one
        assert item['data_samples'].ref_path != \
            item['data_samples'].img_path
    assert labels <= {0, 1, 2} and labels - {0}


def test_missing_reference_and_bad_label_are_reported(synlcd_root, tmp_path):
    root = str(tmp_path / 'copy')
    shutil.copytree(synlcd_root, root)
    info = dataset(root).get_data_info(3)
    os.remove(info['ref_path'])
    with pytest.raises(
            FileNotFoundError,
            match=r'1 of 10 reference images are missing, e.g. '
            + re.escape(info['ref_path'])):
        dataset(root)
    test = dataset(root, 'test')
    label_path = test.get_data_info(0)['seg_map_path']
    label = cv2.imread(label_path, cv2.IMREAD_GRAYSCALE)
    label[0, 0] = 7
    cv2.imwrite(label_path, label)
    with pytest.raises(
            RuntimeError, match=r'sample 0 .* has values \[7\] outside 0..2'):
        test[0]


def test_class_agnostic_merges_line_and_abpt(synlcd_root):
    merged = dataset(synlcd_root, class_agnostic=True)
    assert merged.metainfo['classes'] == ('background', 'defect')
    assert len(merged.metainfo['palette']) == 2
    three = dataset(synlcd_root)
    raw, seen = set(), set()
    for idx in range(len(merged)):
        raw_seg = three[idx]['data_samples'].gt_sem_seg.data.numpy()
        seg = merged[idx]['data_samples'].gt_sem_seg.data.numpy()
        # every defect pixel (line or abpt) is 'defect', background stays
        np.testing.assert_array_equal(seg, (raw_seg > 0).astype(seg.dtype))
        raw |= set(np.unique(raw_seg).tolist())
        seen |= set(np.unique(seg).tolist())
    assert {1, 2} <= raw and seen == {0, 1}
    # naming the merged classes is allowed, other classes are not
    assert len(
        dataset(
            synlcd_root,
            class_agnostic=True,
            metainfo=dict(classes=['background', 'defect']))) == 10
    with pytest.raises(ValueError, match=r"class_agnostic=True means the "
                       r"classes \('background', 'defect'\), got metainfo "
                       r"classes \('background', 'line'\)"):
        dataset(
            synlcd_root,
            class_agnostic=True,
            metainfo=dict(classes=('background', 'line')))


def _stems(ds):
    return [
        osp.basename(ds.get_data_info(i)['img_path']) for i in range(len(ds))
    ]


def test_subset_is_seeded_reproducible_and_ordered(synlcd_root):
    full = _stems(dataset(synlcd_root))
    sub = _stems(dataset(synlcd_root, subset_fraction=0.3, subset_seed=1))
    # max(1, round(0.3 * 10)) = 3 pairs of the split, in file order
    assert len(sub) == 3 and set(sub) <= set(full) and sub == sorted(sub)
    assert sub == _stems(
        dataset(synlcd_root, subset_fraction=0.3, subset_seed=1))
    rng = np.random.default_rng(1)
    assert sub == [full[i] for i in sorted(rng.permutation(10)[:3])]
    others = {
        tuple(_stems(dataset(synlcd_root, subset_fraction=0.3,
                             subset_seed=s)))
        for s in range(2, 8)
    }
    assert len(others | {tuple(sub)}) > 1  # the seed matters
    # a tiny fraction still keeps one pair; 1.0 keeps them all
    assert len(dataset(synlcd_root, subset_fraction=0.01)) == 1
    assert _stems(dataset(synlcd_root, subset_fraction=1.0)) == full


@pytest.mark.parametrize('fraction, error, message', [
    (0, ValueError, r'subset_fraction=0 leaves no pairs to train on; the '
     r'0 % row .* pretrained model tested as is'),
    (0.0, ValueError, r'subset_fraction=0 leaves no pairs'),
    (1.5, ValueError, r'subset_fraction must be in \(0, 1\], got 1.5'),
    (-0.1, ValueError, r'subset_fraction must be in \(0, 1\], got -0.1'),
    ('10%', TypeError, r"subset_fraction must be a number in \(0, 1\] or "
     r"None, got '10%'"),
])
def test_bad_subset_fraction_is_refused(synlcd_root, fraction, error,
                                        message):
    with pytest.raises(error, match='SynLCDDataset: ' + message):
        dataset(synlcd_root, subset_fraction=fraction)

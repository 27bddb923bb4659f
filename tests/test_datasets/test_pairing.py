"""The folder-pairing rule shared by BasePairedDataset and DefectInferencer:
same relative path, else the only same-stem image; missing and ambiguous
references named."""
import os.path as osp

import cv2
import numpy as np
import pytest

from mmdefect.datasets import BasePairedDataset
from mmdefect.datasets.pairing import (AmbiguousReferenceError,
                                       ReferenceFinder, pair_folders)


def write(path, value=0):
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), np.full((8, 8, 3), value, np.uint8))


def test_pair_folders_rules(tmp_path):
    img, ref = tmp_path / 'img', tmp_path / 'ref'
    for rel in ('a.png', 'b.png', 'sub/c.png', 'd.png', 'e.PNG'):
        write(img / rel)
    write(ref / 'a.png')  # same relative path
    write(ref / 'b.png')
    write(ref / 'b.jpg')  # the same path wins over a same-stem image
    write(ref / 'sub/c.bmp')  # the only same-stem image
    write(ref / 'd.jpg')
    write(ref / 'd.bmp')  # two same-stem candidates
    (img / 'notes.txt').write_text('not an image')
    pairs = pair_folders(str(img), str(ref))
    assert [p.rel for p in pairs] == ['a.png', 'b.png', 'd.png', 'e.PNG',
                                      osp.join('sub', 'c.png')]
    by_rel = {p.rel: p for p in pairs}
    assert by_rel['a.png'].ref == str(ref / 'a.png')
    assert by_rel['b.png'].ref == str(ref / 'b.png')
    assert by_rel[osp.join('sub', 'c.png')].ref == str(ref / 'sub' / 'c.bmp')
    for rel in ('a.png', 'b.png', osp.join('sub', 'c.png')):
        assert by_rel[rel].error is None
    ambiguous = by_rel['d.png'].error
    assert str(img / 'd.png') in ambiguous and 'ambiguous' in ambiguous
    assert str(ref / 'd.bmp') in ambiguous and str(ref / 'd.jpg') in ambiguous
    missing = by_rel['e.PNG'].error
    assert missing.startswith(f'no reference for {img / "e.PNG"}')
    assert str(ref / 'e.PNG') in missing
    with pytest.raises(ValueError, match='no images'):
        pair_folders(str(tmp_path / 'empty'), str(ref))


def test_reference_finder(tmp_path):
    write(tmp_path / 'x.jpg')
    finder = ReferenceFinder(str(tmp_path))
    assert finder.find('x.png') == str(tmp_path / 'x.jpg')
    assert finder.find('y.png') == str(tmp_path / 'y.png')  # missing
    write(tmp_path / 'x.bmp')
    with pytest.raises(AmbiguousReferenceError, match='x.bmp'):
        ReferenceFinder(str(tmp_path)).find('x.png')
    assert ReferenceFinder(str(tmp_path / 'absent')).files == set()


def test_dataset_finds_references_by_the_same_rule(tmp_path):
    for stem in ('0', '1'):
        write(tmp_path / 'img' / f'{stem}.png')
    write(tmp_path / 'ref' / '0.png', 10)
    write(tmp_path / 'ref' / '1.jpg', 20)  # another extension
    dataset = BasePairedDataset(
        data_root=str(tmp_path),
        data_prefix=dict(img_path='img', ref_path='ref'),
        img_suffix='.png',
        metainfo=dict(classes=('background', 'defect')))
    refs = [dataset.get_data_info(i)['ref_path'] for i in range(len(dataset))]
    assert [osp.basename(ref) for ref in refs] == ['0.png', '1.jpg']
    # the inferencer pairs the same folders identically
    pairs = pair_folders(str(tmp_path / 'img'), str(tmp_path / 'ref'))
    assert [p.ref for p in pairs] == refs
    write(tmp_path / 'ref' / '1.bmp')
    with pytest.raises(AmbiguousReferenceError,
                       match='BasePairedDataset: the reference of 1.png'):
        BasePairedDataset(
            data_root=str(tmp_path),
            data_prefix=dict(img_path='img', ref_path='ref'),
            img_suffix='.png',
            metainfo=dict(classes=('background', 'defect')))

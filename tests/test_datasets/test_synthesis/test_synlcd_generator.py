import json
from collections import Counter

import cv2
import numpy as np
import pytest

from mmdefect.datasets.synthesis import (SynLCDGenerator, fusion_margin,
                                         plan_split, render_pattern)

SPLITS = ('train', 'test')
DIRS = ('img_dir', 'ref_dir', 'ann_dir')


def _files(root):
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob('*.png'))
    }


def _read(root, folder, split, stem, flags=cv2.IMREAD_COLOR):
    return cv2.imread(str(root / folder / split / f'{stem}.png'), flags)


def test_paper_split_arithmetic():
    train = plan_split('train', 4200, list(range(7)))
    test = plan_split('test', 1800, [7, 8, 9])
    assert len(train) == 4200 and len(test) == 1800
    for specs, patterns in ((train, range(7)), (test, (7, 8, 9))):
        per_pattern = Counter((s.pattern, s.kind) for s in specs)
        for p in patterns:
            assert per_pattern[(p, 'line')] == 100
            assert per_pattern[(p, 'abpt')] == 100
            assert per_pattern[(p, 'mixed')] == 100
            assert per_pattern[(p, 'defect_free')] == 300
    assert [s.index for s in train] == list(range(4200))
    assert len({s.stem for s in train + test}) == 6000


def test_scaled_split_arithmetic_and_defect_mix():
    specs = plan_split('train', 23, [0, 1, 2])
    per_pattern = Counter(s.pattern for s in specs)
    assert [per_pattern[p] for p in (0, 1, 2)] == [8, 8, 7]
    kinds = Counter(s.kind for s in specs if s.pattern == 2)
    assert kinds == {'line': 1, 'abpt': 1, 'mixed': 2, 'defect_free': 3}
    assert Counter(s.kind for s in specs) == {
        'line': 4,
        'abpt': 4,
        'mixed': 4,
        'defect_free': 11
    }
    for mix in ('line', 'abpt', 'mixed'):
        kinds = Counter(s.kind for s in plan_split('test', 10, [5], mix))
        assert kinds == {mix: 5, 'defect_free': 5}
    with pytest.raises(ValueError, match='defect_mix'):
        plan_split('train', 4, [0], 'lines')
    with pytest.raises(ValueError, match='no patterns'):
        plan_split('test', 4, [])


def test_holdout_patterns(tmp_path):
    gen = SynLCDGenerator(tmp_path / 'a', num_train=70, num_test=30, size=32)
    assert gen.test_patterns == [7, 8, 9]
    assert gen.train_patterns == list(range(7))
    gen = SynLCDGenerator(
        tmp_path / 'b',
        num_train=40,
        num_test=20,
        size=32,
        holdout_patterns=[0, 5])
    train = {s.pattern for s in gen.specs if s.split == 'train'}
    test = {s.pattern for s in gen.specs if s.split == 'test'}
    assert test == {0, 5} and not train & test
    assert train == {1, 2, 3, 4, 6, 7, 8, 9}
    with pytest.raises(ValueError, match='out of range'):
        SynLCDGenerator(tmp_path / 'c', size=32, holdout_patterns=[10])


def test_deterministic_across_worker_counts(tmp_path):
    runs = []
    for workers in (1, 2):
        out = tmp_path / f'w{workers}'
        manifest = SynLCDGenerator(
            out, num_train=14, num_test=6, size=64, seed=3,
            workers=workers).run(progress=workers == 2)
        runs.append((out, manifest))
    (out1, man1), (out2, man2) = runs
    files1, files2 = _files(out1), _files(out2)
    assert len(files1) == 3 * 20
    assert files1 == files2
    assert (out1 /
            'manifest.json').read_bytes() == (out2 /
                                              'manifest.json').read_bytes()
    other = tmp_path / 'seed4'
    SynLCDGenerator(
        other, num_train=14, num_test=6, size=64, seed=4,
        workers=1).run(progress=False)
    assert _files(other) != files1


def test_outputs_labels_and_manifest(tmp_path):
    out = tmp_path / 'synlcd'
    gen = SynLCDGenerator(
        out,
        num_train=16,
        num_test=8,
        size=(48, 64),
        seed=0,
        holdout_patterns=[2, 9])
    manifest = gen.run(progress=False)
    on_disk = json.loads((out / 'manifest.json').read_text())
    assert on_disk == json.loads(json.dumps(manifest))
    assert on_disk['seed'] == 0
    assert on_disk['parameters']['test_patterns'] == [2, 9]
    assert len(on_disk['samples']) == 24
    for rec in on_disk['samples']:
        split, stem = rec['split'], rec['stem']
        img = _read(out, 'img_dir', split, stem)
        ref = _read(out, 'ref_dir', split, stem)
        ann = _read(out, 'ann_dir', split, stem, cv2.IMREAD_UNCHANGED)
        assert img.shape == ref.shape == (48, 64, 3)
        assert ann.shape == (48, 64) and ann.dtype == np.uint8
        assert set(np.unique(ann)) <= {0, 1, 2}
        # the reference is the clean pattern itself
        assert np.array_equal(ref, render_pattern(rec['pattern'], (48, 64)))
        counts = rec['label_pixels']
        assert counts == dict(
            line=int((ann == 1).sum()), abpt=int((ann == 2).sum()))
        kind = rec['kind']
        assert (counts['line'] > 0) == (kind in ('line', 'mixed'))
        assert (counts['abpt'] > 0) == (kind in ('abpt', 'mixed'))
        if kind == 'defect_free':
            assert not ann.any() and not rec['defects']
        types = {d['type'] for d in rec['defects']}
        assert types == {
            'line': {'line'},
            'abpt': {'abpt'},
            'mixed': {'line', 'abpt'},
            'defect_free': set()
        }[kind]
        assert rec['screen'] is not None


@pytest.mark.parametrize('mix', ['line', 'abpt'])
def test_controlled_label_consistency(tmp_path, grey_pattern_dir, mix):
    """Without the global transform, on a flat grey screen, every labelled
    pixel differs from the reference and nothing changes away from the
    defects; defect-free samples equal their reference exactly.

    Single-type sets are used because in mixed samples a defect drawn over
    another one of the opposite colour can bring a pixel back to grey.
    """
    out = tmp_path / 'controlled'
    manifest = SynLCDGenerator(
        out,
        num_train=24,
        num_test=8,
        size=64,
        seed=1,
        defect_mix=mix,
        pattern_dir=grey_pattern_dir,
        screen_transform=False).run(progress=False)
    assert manifest['parameters']['pattern_source'] == str(grey_pattern_dir)
    assert [p['name'] for p in manifest['parameters']['patterns']
            ] == ['a_grey.png', 'b_grey.png']
    margin = fusion_margin((64, 64))
    kernel = np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)
    for rec in manifest['samples']:
        img = _read(out, 'img_dir', rec['split'], rec['stem']).astype(int)
        ref = _read(out, 'ref_dir', rec['split'], rec['stem']).astype(int)
        ann = _read(out, 'ann_dir', rec['split'], rec['stem'],
                    cv2.IMREAD_UNCHANGED)
        assert rec['screen'] is None
        diff = np.abs(img - ref).max(axis=2)
        if rec['kind'] == 'defect_free':
            assert not diff.any()
            continue
        assert ann.any()
        assert diff[ann > 0].min() > 3
        near = cv2.dilate((ann > 0).astype(np.uint8), kernel)
        assert not diff[near == 0].any()


def test_screen_transform_touches_defect_free_samples(tmp_path):
    out = tmp_path / 'screen'
    manifest = SynLCDGenerator(
        out, num_train=4, num_test=2, size=32, seed=0).run(progress=False)
    for rec in manifest['samples']:
        if rec['kind'] == 'defect_free':
            img = _read(out, 'img_dir', rec['split'], rec['stem'])
            ref = _read(out, 'ref_dir', rec['split'], rec['stem'])
            assert not np.array_equal(img, ref)


def test_refuses_to_overwrite(tmp_path):
    out = tmp_path / 'data'
    out.mkdir()
    (out / 'keep.txt').write_text('user file')
    gen = SynLCDGenerator(out, num_train=2, num_test=2, size=32)
    with pytest.raises(FileExistsError, match='not empty') as err:
        gen.run(progress=False)
    assert str(out) in str(err.value) and '--overwrite' in str(err.value)
    assert sorted(p.name for p in out.iterdir()) == ['keep.txt']

    SynLCDGenerator(
        out, num_train=4, num_test=2, size=32,
        overwrite=True).run(progress=False)
    assert (out / 'keep.txt').read_text() == 'user file'
    SynLCDGenerator(
        out, num_train=2, num_test=2, size=32,
        overwrite=True).run(progress=False)
    assert len(list((out / 'img_dir' / 'train').iterdir())) == 2
    with pytest.raises(FileExistsError, match=str(out)):
        SynLCDGenerator(out, num_train=2, num_test=2, size=32).run()


def test_invalid_arguments(tmp_path):
    with pytest.raises(ValueError, match='defect_mix'):
        SynLCDGenerator(tmp_path, size=32, defect_mix='points')
    with pytest.raises(ValueError, match='size'):
        SynLCDGenerator(tmp_path, size=(8, 8))
    with pytest.raises(ValueError, match='workers'):
        SynLCDGenerator(tmp_path, size=32, workers=0)

import json
from collections import Counter

import cv2
import numpy as np
import pytest

from mmdefect.datasets.synthesis import (DEFECT_TYPES, SURFACE_TYPES,
                                         SynSurfaceGenerator,
                                         plan_surface_split,
                                         render_surface_sample, surface_rng)


def _files(root):
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob('*.png'))
    }


def test_split_plans():
    train = plan_surface_split('train', 7)
    assert {s.kind for s in train} == {'normal'}
    assert [s.surface for s in train[:3]] == list(SURFACE_TYPES)
    val = Counter(s.kind for s in plan_surface_split('val', 40))
    assert val == dict(normal=32, scratch=2, pit=2, stain=2, crack=2)
    test = plan_surface_split('test', 81)
    kinds = Counter(s.kind for s in test)
    assert kinds['normal'] == 40 and sum(kinds.values()) == 81
    assert [s.kind for s in test[:5]] == list(DEFECT_TYPES) + ['scratch']
    pairs = {(s.surface, s.kind) for s in test if s.kind != 'normal'}
    assert len(pairs) == len(SURFACE_TYPES) * len(DEFECT_TYPES)
    assert test[3].stem == '00003_brushed_crack'
    assert test[5].stem == '00005_machined_pit'
    with pytest.raises(ValueError, match='split'):
        plan_surface_split('holdout', 3)


def test_written_set_matches_the_manifest(synsurface_root):
    root, manifest = synsurface_root
    from pathlib import Path
    root = Path(root)
    on_disk = json.loads((root / 'manifest.json').read_text())
    assert on_disk == json.loads(json.dumps(manifest))
    params = on_disk['parameters']
    assert params['size'] == [64, 64]
    assert params['counts']['train']['normal'] == 12
    assert params['counts']['val']['normal'] == 8
    assert params['counts']['test']['normal'] == 6
    for rec in on_disk['samples']:
        img = cv2.imread(
            str(root / 'img_dir' / rec['split'] / f'{rec["stem"]}.png'),
            cv2.IMREAD_UNCHANGED)
        ann = cv2.imread(
            str(root / 'ann_dir' / rec['split'] / f'{rec["stem"]}.png'),
            cv2.IMREAD_UNCHANGED)
        assert img.shape == ann.shape == (64, 64)
        assert img.dtype == ann.dtype == np.uint8
        assert set(np.unique(ann)) <= {0, 255}
        assert rec['label_pixels'] == int((ann == 255).sum())
        if rec['split'] == 'train' or rec['kind'] == 'normal':
            assert not ann.any() and not rec['defects']
        else:
            assert ann.any()
            assert rec['defects'][0]['type'] == rec['kind']


def test_mask_matches_the_defects():
    """The inspected image differs from its defect-free version only on and
    right around the label, and on most labelled pixels."""
    kernel = np.ones((7, 7), np.uint8)
    index = 0
    for surface in SURFACE_TYPES:
        for kind in DEFECT_TYPES + ('normal', ):
            rng = surface_rng(3, 'test', index)
            image, label, clean, rec = render_surface_sample(
                surface, kind, (64, 64), rng)
            index += 1
            diff = np.abs(image.astype(int) - clean.astype(int))
            if kind == 'normal':
                assert np.array_equal(image, clean) and not label.any()
                continue
            assert set(np.unique(label)) == {0, 1}
            near = cv2.dilate(label, kernel).astype(bool)
            assert not diff[~near].any()
            assert np.mean(diff[label == 1] >= 3) > 0.8


def test_deterministic_across_worker_counts(tmp_path):
    runs = []
    for workers in (1, 2):
        out = tmp_path / f'w{workers}'
        SynSurfaceGenerator(
            out,
            num_train=6,
            num_val=5,
            num_test=6,
            size=48,
            seed=2,
            workers=workers).run(progress=False)
        runs.append(out)
    files = _files(runs[0])
    assert len(files) == 2 * 17
    assert files == _files(runs[1])
    assert (runs[0] /
            'manifest.json').read_bytes() == (runs[1] /
                                              'manifest.json').read_bytes()
    other = tmp_path / 'seed3'
    SynSurfaceGenerator(
        other, num_train=6, num_val=5, num_test=6, size=48,
        seed=3).run(progress=False)
    assert _files(other) != files


def test_refuses_to_overwrite(tmp_path):
    out = tmp_path / 'data'
    out.mkdir()
    (out / 'keep.txt').write_text('user file')
    gen = SynSurfaceGenerator(out, num_train=2, num_val=1, num_test=2, size=32)
    with pytest.raises(FileExistsError, match='--overwrite') as err:
        gen.run(progress=False)
    assert str(out) in str(err.value)
    assert sorted(p.name for p in out.iterdir()) == ['keep.txt']
    SynSurfaceGenerator(
        out, num_train=3, num_val=1, num_test=2, size=32,
        overwrite=True).run(progress=False)
    SynSurfaceGenerator(
        out, num_train=2, num_val=1, num_test=2, size=32,
        overwrite=True).run(progress=False)
    assert (out / 'keep.txt').read_text() == 'user file'
    assert len(list((out / 'img_dir' / 'train').iterdir())) == 2


@pytest.mark.parametrize('kwargs, match', [
    (dict(num_train=0), 'num_train'),
    (dict(num_val=0), 'num_val'),
    (dict(num_test=1), 'num_test'),
    (dict(size=16), 'size'),
    (dict(size=(32, 32, 3)), 'size'),
    (dict(workers=0), 'workers'),
])
def test_invalid_arguments(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        SynSurfaceGenerator(tmp_path, **kwargs)

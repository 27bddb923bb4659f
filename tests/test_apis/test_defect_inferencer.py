"""DefectInferencer on a tiny trained checkpoint: single pairs, arrays,
batches, folders, per-pair errors, threshold resolution and outputs."""
import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader

from mmdefect.apis import DefectInferencer
from mmdefect.testing import TOY_CONFIG as CONFIG
from mmdefect.testing import single_thread, toy_checkpoint


@pytest.fixture(scope='module', autouse=True)
def _one_thread():
    with single_thread():
        yield


@pytest.fixture(scope='module')
def checkpoint(toy_root, tmp_path_factory):
    return toy_checkpoint(toy_root, tmp_path_factory)


@pytest.fixture(scope='module')
def inferencer(checkpoint):
    return DefectInferencer(CONFIG, checkpoint, show_progress=False)


def toy_pair(toy_root, index, split='test'):
    """(inspected, reference) paths of a toy sample."""
    name = f'{index:04d}.png'
    return (osp.join(toy_root, 'img_dir', split, name),
            osp.join(toy_root, 'ref_dir', split, name))


def test_single_pair_shapes_and_values(inferencer, toy_root):
    result = inferencer(toy_pair(toy_root, 1))
    assert result['errors'] == []
    assert result['pairs'] == [toy_pair(toy_root, 1)]
    mask, score = result['masks'][0], result['scores'][0]
    assert mask.shape == score.shape == (64, 64)
    assert np.issubdtype(mask.dtype, np.integer)
    assert set(np.unique(mask)) <= {0, 1}
    assert score.dtype == np.float32
    assert 0.0 <= score.min() and score.max() <= 1.0
    # two classes: argmax picks "defect" exactly when 1 - p(bg) > 0.5
    np.testing.assert_array_equal(mask == 1, score > 0.5)
    assert result['image_scores'][0] == pytest.approx(float(score.max()))
    assert result['threshold'] == 0.5
    assert result['threshold_source'] == 'default'
    assert result['is_defective'][0] == (result['image_scores'][0] >= 0.5)
    np.testing.assert_array_equal(result['defect_masks'][0], score >= 0.5)


def test_arrays_and_paths_agree(inferencer, toy_root):
    img_path, ref_path = toy_pair(toy_root, 2)
    by_path = inferencer((img_path, ref_path))
    by_array = inferencer((cv2.imread(img_path), cv2.imread(ref_path)))
    mixed = inferencer((img_path, cv2.imread(ref_path)))
    for other in (by_array, mixed):
        assert other['errors'] == []
        np.testing.assert_array_equal(other['masks'][0], by_path['masks'][0])
        np.testing.assert_allclose(other['scores'][0], by_path['scores'][0],
                                   atol=1e-6)
    assert by_array['pairs'][0] == ('<array 64x64x3>', '<array 64x64x3>')


def test_batches_match_single_pairs(inferencer, toy_root):
    pairs = [toy_pair(toy_root, i) for i in range(4)]
    single = [inferencer(pair) for pair in pairs]
    batched = inferencer(pairs, batch_size=3)
    assert batched['errors'] == []
    for index, result in enumerate(single):
        np.testing.assert_allclose(batched['scores'][index],
                                   result['scores'][0], atol=1e-5)
        assert batched['image_scores'][index] == pytest.approx(
            result['image_scores'][0], abs=1e-5)


def test_folder_with_missing_reference_and_corrupt_file(
        inferencer, toy_root, tmp_path):
    img_dir, ref_dir = tmp_path / 'img', tmp_path / 'ref'
    shutil.copytree(osp.join(toy_root, 'img_dir', 'test'), img_dir)
    shutil.copytree(osp.join(toy_root, 'ref_dir', 'test'), ref_dir)
    (img_dir / 'sub').mkdir()
    (ref_dir / 'sub').mkdir()
    shutil.copy(img_dir / '0001.png', img_dir / 'sub' / 'extra.png')
    ref = cv2.imread(str(ref_dir / '0001.png'))
    cv2.imwrite(str(ref_dir / 'sub' / 'extra.bmp'), ref)  # other extension
    os.remove(ref_dir / '0002.png')
    (img_dir / '0003.png').write_bytes(b'not an image at all')

    result = inferencer((str(img_dir), str(ref_dir)), batch_size=2)
    names = [osp.relpath(img, img_dir) for img, _ in result['pairs']]
    assert names == ['0000.png', '0001.png', '0002.png', '0003.png',
                     osp.join('sub', 'extra.png')]
    assert result['pairs'][4][1] == str(ref_dir / 'sub' / 'extra.bmp')
    errors = {e['index']: e['message'] for e in result['errors']}
    assert sorted(errors) == [2, 3]
    assert 'no reference for' in errors[2] and str(img_dir / '0002.png') \
        in errors[2]
    assert str(img_dir / '0003.png') in errors[3]
    for index in (0, 1, 4):
        assert result['masks'][index].shape == (64, 64)
        assert result['image_scores'][index] is not None
    for index in (2, 3):
        assert result['masks'][index] is None
        assert result['image_scores'][index] is None
    np.testing.assert_allclose(result['scores'][4], result['scores'][1],
                               atol=1e-5)


def test_bad_pairs_do_not_lose_the_others(inferencer, toy_root, tmp_path):
    img_path, ref_path = toy_pair(toy_root, 1)
    small = str(tmp_path / 'small_ref.png')
    cv2.imwrite(small, cv2.imread(ref_path)[:32, :48])
    img = cv2.imread(img_path)
    result = inferencer([
        (img_path, str(tmp_path / 'missing.png')),
        (img_path, small),
        (img, img[:40]),
        (img[..., 0], img),
        toy_pair(toy_root, 2),
    ], batch_size=4)
    errors = {e['index']: e['message'] for e in result['errors']}
    assert sorted(errors) == [0, 1, 2, 3]
    assert 'reference image not found' in errors[0]
    assert str(tmp_path / 'missing.png') in errors[0]
    assert small in errors[1] and img_path in errors[1]
    assert '48x32' in errors[1] and '64x64' in errors[1]
    assert 'reference array is 64x40' in errors[2]
    assert 'inspected array has shape (64, 64)' in errors[3]
    assert result['masks'][4].shape == (64, 64)
    assert result['errors'][0]['pair'] == (img_path,
                                           str(tmp_path / 'missing.png'))


def test_threshold_from_checkpoint_meta(checkpoint, toy_root, tmp_path):
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    ckpt['meta']['defect_threshold'] = 0.123
    calibrated = str(tmp_path / 'calibrated.pth')
    torch.save(ckpt, calibrated)
    from_meta = DefectInferencer(CONFIG, calibrated, show_progress=False)
    assert from_meta.threshold == pytest.approx(0.123)
    assert from_meta.threshold_source == 'checkpoint'
    result = from_meta(toy_pair(toy_root, 1))
    assert result['threshold'] == pytest.approx(0.123)
    np.testing.assert_array_equal(result['defect_masks'][0],
                                  result['scores'][0] >= 0.123)
    assert result['is_defective'][0] == (result['image_scores'][0] >= 0.123)
    explicit = DefectInferencer(CONFIG, calibrated, threshold=0.9,
                                show_progress=False)
    assert (explicit.threshold, explicit.threshold_source) == (0.9,
                                                               'argument')
    with pytest.raises(ValueError, match='finite'):
        DefectInferencer(CONFIG, calibrated, threshold=float('nan'))


def test_visualisation_and_mask_files(inferencer, toy_root, tmp_path):
    img_path, ref_path = toy_pair(toy_root, 1)
    out_dir = tmp_path / 'out'
    result = inferencer([(img_path, ref_path),
                         (cv2.imread(img_path), cv2.imread(ref_path))],
                        out_dir=str(out_dir), return_vis=True)
    assert result['errors'] == []
    # inspected | reference | prediction | heat map, 4 px gaps
    for vis in result['visualization']:
        assert vis.shape == (64, 4 * 64 + 3 * 4, 3)
    np.testing.assert_array_equal(result['visualization'][0][:, 68:132],
                                  cv2.imread(ref_path)[..., ::-1])
    np.testing.assert_array_equal(result['visualization'][1][:, 68:132],
                                  cv2.imread(ref_path)[..., ::-1])
    assert sorted(os.listdir(out_dir / 'vis')) == ['0001.png',
                                                   'array_000001.png']
    saved = cv2.imread(str(out_dir / 'pred' / '0001.png'),
                       cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(saved, result['masks'][0])


def test_invalid_inputs_are_rejected(inferencer, toy_root):
    with pytest.raises(TypeError, match='pair'):
        inferencer('just_one_path.png')
    with pytest.raises(TypeError, match='input 1'):
        inferencer([toy_pair(toy_root, 0), (1, 2)])
    with pytest.raises(ValueError, match='both be folders'):
        inferencer((osp.join(toy_root, 'img_dir', 'test'),
                    toy_pair(toy_root, 0)[1]))
    with pytest.raises(ValueError, match='batch_size'):
        inferencer(toy_pair(toy_root, 0), batch_size=0)


def test_dataset_scores_yield_maps_and_labels(inferencer, toy_root):
    inferencer.cfg.test_dataloader.dataset.data_root = toy_root
    items = list(inferencer.dataset_scores('test', show_progress=False))
    assert len(items) == 4
    for item in items:
        assert item['score'].shape == item['labels'].shape == (64, 64)
    single = inferencer(toy_pair(toy_root, 1))
    np.testing.assert_allclose(items[1]['score'], single['scores'][0],
                               atol=1e-6)

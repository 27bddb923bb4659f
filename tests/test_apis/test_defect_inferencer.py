"""DefectInferencer on a tiny trained checkpoint: single pairs, arrays,
batches, folders, per-pair errors, thresholds, score rule and outputs."""
import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner.checkpoint import CheckpointLoader

from mmdefect.apis import DefectInferencer, PairResult
from mmdefect.evaluation import ScoreRule
from mmdefect.evaluation.threshold_record import threshold_info
from mmdefect.testing import TOY_CONFIG

pytestmark = pytest.mark.usefixtures('one_thread')


@pytest.fixture(scope='module')
def checkpoint(toy_ckpt):
    return toy_ckpt


@pytest.fixture(scope='module')
def inferencer(checkpoint):
    return DefectInferencer(TOY_CONFIG, checkpoint, show_progress=False)


def toy_pair(toy_root, index, split='test'):
    """(inspected, reference) paths of a toy sample."""
    name = f'{index:04d}.png'
    return (osp.join(toy_root, 'img_dir', split, name),
            osp.join(toy_root, 'ref_dir', split, name))


def errors_of(results):
    return {r.index: r.error for r in results if r.error is not None}


def test_single_pair_shapes_and_values(inferencer, toy_root):
    [result] = inferencer(toy_pair(toy_root, 1), return_datasamples=True)
    assert isinstance(result, PairResult) and result.ok
    assert result.index == 0 and result.pair == toy_pair(toy_root, 1)
    mask, score = result.pred_mask, result.score_map
    assert mask.shape == score.shape == (64, 64)
    assert np.issubdtype(mask.dtype, np.integer)
    assert set(np.unique(mask)) <= {0, 1}
    assert score.dtype == np.float32
    assert 0.0 <= score.min() and score.max() <= 1.0
    # two classes: argmax picks "defect" exactly when p(defect) > 0.5
    np.testing.assert_array_equal(mask == 1, score > 0.5)
    # the score layer's rule, bit for bit
    np.testing.assert_array_equal(
        score, ScoreRule().pixel_scores(result.data_sample))
    assert result.image_score == float(score.max())
    assert result.threshold == inferencer.threshold == 0.5
    assert inferencer.threshold_source == 'default'
    assert result.is_defective == (result.image_score >= 0.5)
    np.testing.assert_array_equal(result.defect_mask, score >= 0.5)
    assert result.out_files == {} and result.visualization is None


def test_arrays_and_paths_agree(inferencer, toy_root):
    img_path, ref_path = toy_pair(toy_root, 2)
    [by_path] = inferencer((img_path, ref_path))
    [by_array] = inferencer((cv2.imread(img_path), cv2.imread(ref_path)))
    [mixed] = inferencer((img_path, cv2.imread(ref_path)))
    for other in (by_array, mixed):
        assert other.ok
        np.testing.assert_array_equal(other.pred_mask, by_path.pred_mask)
        np.testing.assert_allclose(other.score_map, by_path.score_map,
                                   atol=1e-6)
    assert by_array.pair == ('<array 64x64x3>', '<array 64x64x3>')


def test_batches_match_single_pairs(inferencer, toy_root):
    pairs = [toy_pair(toy_root, i) for i in range(4)]
    single = [inferencer(pair)[0] for pair in pairs]
    batched = inferencer(pairs, batch_size=3)
    assert [r.index for r in batched] == [0, 1, 2, 3]
    for result, alone in zip(batched, single):
        assert result.ok
        np.testing.assert_allclose(result.score_map, alone.score_map,
                                   atol=1e-5)
        assert result.image_score == pytest.approx(alone.image_score,
                                                   abs=1e-5)


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

    results = inferencer((str(img_dir), str(ref_dir)), batch_size=2)
    names = [osp.relpath(r.pair[0], img_dir) for r in results]
    assert names == ['0000.png', '0001.png', '0002.png', '0003.png',
                     osp.join('sub', 'extra.png')]
    assert results[4].pair[1] == str(ref_dir / 'sub' / 'extra.bmp')
    errors = errors_of(results)
    assert sorted(errors) == [2, 3]
    assert 'no reference for' in errors[2] and str(img_dir / '0002.png') \
        in errors[2]
    assert str(img_dir / '0003.png') in errors[3]
    for index in (0, 1, 4):
        assert results[index].ok
        assert results[index].pred_mask.shape == (64, 64)
    for index in (2, 3):
        assert not results[index].ok
        assert results[index].score_map is None
        assert results[index].image_score is None
    np.testing.assert_allclose(results[4].score_map, results[1].score_map,
                               atol=1e-5)


def test_bad_pairs_do_not_lose_the_others(inferencer, toy_root, tmp_path):
    img_path, ref_path = toy_pair(toy_root, 1)
    small = str(tmp_path / 'small_ref.png')
    cv2.imwrite(small, cv2.imread(ref_path)[:32, :48])
    img = cv2.imread(img_path)
    results = inferencer([
        (img_path, str(tmp_path / 'missing.png')),
        (img_path, small),
        (img, img[:40]),
        (img[..., 0], img),
        toy_pair(toy_root, 2),
    ], batch_size=4)
    errors = errors_of(results)
    assert sorted(errors) == [0, 1, 2, 3]
    assert 'reference image not found' in errors[0]
    assert str(tmp_path / 'missing.png') in errors[0]
    assert small in errors[1] and img_path in errors[1]
    assert '48x32' in errors[1] and '64x64' in errors[1]
    assert 'reference array is 64x40' in errors[2]
    assert 'inspected array has shape (64, 64)' in errors[3]
    assert results[4].ok and results[4].pred_mask.shape == (64, 64)
    assert results[0].pair == (img_path, str(tmp_path / 'missing.png'))


def test_uint16_and_float_arrays_are_refused(inferencer, toy_root):
    """Issue 14 item 3: such arrays were normalised with 8-bit statistics
    (scores on mis-scaled input) instead of being refused."""
    img_path, ref_path = toy_pair(toy_root, 1)
    img, ref = cv2.imread(img_path), cv2.imread(ref_path)
    results = inferencer([(img.astype(np.uint16) * 257, ref),
                          (img, ref.astype(np.float32) / 255),
                          (img, ref)])
    assert 'inspected array is uint16' in results[0].error
    assert 'reference array is float32' in results[1].error
    for result in results[:2]:
        assert 'expected uint8' in result.error and not result.ok
    assert results[2].ok
    # a 16-bit PNG file keeps loading through the path route
    assert cv2.imwrite(img_path.replace('.png', '_16bit.png'),
                       img.astype(np.uint16) * 257)
    [by_file] = inferencer((img_path.replace('.png', '_16bit.png'),
                            ref_path))
    os.remove(img_path.replace('.png', '_16bit.png'))
    assert by_file.ok
    np.testing.assert_allclose(by_file.score_map, results[2].score_map,
                               atol=1e-6)


def test_too_small_pair_states_the_minimum(inferencer, toy_root):
    """Issue 14 item 10: an 8x8 pair failed with "Kernel size can't be
    greater than actual input size" and no hint."""
    img = cv2.imread(toy_pair(toy_root, 1)[0])
    tiny, one = img[:8, :8].copy(), img[:1, :1].copy()
    results = inferencer([(tiny, tiny), (one, one), (img, img)])
    # MiT stage 1: a 7x7/4 patch embedding, then an 8x8/8 spatial
    # reduction: (H - 1) // 4 + 1 >= 8 needs H >= 29
    assert 'the pair is 8x8 but the model needs at least 29 pixels per ' \
        'side' in results[0].error
    assert 'the pair is 1x1' in results[1].error
    assert results[2].ok
    side = [inferencer((img[:s, :s].copy(), img[:s, :s].copy()))[0].ok
            for s in (28, 29)]
    assert side == [False, True]


def test_outputs_are_unique_written_and_never_overwritten(
        inferencer, toy_root, tmp_path):
    """Issue 14 item 4: a.png and a.jpg went to the same output file;
    existing files were replaced; stale outputs of failed pairs stayed."""
    img_path, ref_path = toy_pair(toy_root, 1)
    img_dir, ref_dir = tmp_path / 'img', tmp_path / 'ref'
    img_dir.mkdir()
    ref_dir.mkdir()
    for ext in ('png', 'jpg'):
        shutil.copy(img_path, img_dir / f'a.{ext}')
        shutil.copy(ref_path, ref_dir / f'a.{ext}')
    out_dir = tmp_path / 'out'
    results = inferencer((str(img_dir), str(ref_dir)), out_dir=str(out_dir))
    assert all(r.ok for r in results)
    assert sorted(os.listdir(out_dir / 'pred')) == ['a.png',
                                                    'a_000001.png']
    assert sorted(os.listdir(out_dir / 'vis')) == ['a.png', 'a_000001.png']
    assert results[1].out_files == {
        'vis': str(out_dir / 'vis' / 'a_000001.png'),
        'pred': str(out_dir / 'pred' / 'a_000001.png')
    }
    # a second run into the same folder is refused, nothing is touched
    before = {f: os.stat(out_dir / 'pred' / f).st_mtime_ns
              for f in os.listdir(out_dir / 'pred')}
    with pytest.raises(FileExistsError, match='overwrite'):
        inferencer((str(img_dir), str(ref_dir)), out_dir=str(out_dir))
    assert before == {f: os.stat(out_dir / 'pred' / f).st_mtime_ns
                      for f in os.listdir(out_dir / 'pred')}
    # with overwrite: the pair that fails now leaves no stale output
    (img_dir / 'a.png').write_bytes(b'broken')  # a_000001
    (out_dir / 'pred' / 'unrelated.txt').write_text('not ours')
    results = inferencer((str(img_dir), str(ref_dir)), out_dir=str(out_dir),
                         overwrite=True)
    assert results[0].ok and not results[1].ok
    assert results[1].out_files == {}
    assert sorted(os.listdir(out_dir / 'pred')) == ['a.png', 'unrelated.txt']
    assert os.listdir(out_dir / 'vis') == ['a.png']


def stored_threshold(checkpoint, tmp_path, name, **info):
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    if info:
        record = threshold_info(**info)
        ckpt['meta']['defect_threshold'] = record['value']
        ckpt['meta']['defect_threshold_info'] = record
    else:  # a bare value, as older calibrations wrote
        ckpt['meta']['defect_threshold'] = 0.123
    path = str(tmp_path / name)
    torch.save(ckpt, path)
    return path


def test_threshold_from_checkpoint_record(checkpoint, toy_root, tmp_path):
    calibrated = stored_threshold(
        checkpoint, tmp_path, 'calibrated.pth', value=0.123, level='pixel',
        method='quantile', q=0.99, score_rule=ScoreRule())
    from_meta = DefectInferencer(TOY_CONFIG, calibrated, show_progress=False)
    assert from_meta.threshold == pytest.approx(0.123)
    assert from_meta.threshold_source == 'checkpoint'
    [result] = from_meta(toy_pair(toy_root, 1))
    assert result.threshold == pytest.approx(0.123)
    np.testing.assert_array_equal(result.defect_mask,
                                  result.score_map >= 0.123)
    assert result.is_defective == (result.image_score >= 0.123)
    explicit = DefectInferencer(TOY_CONFIG, calibrated, threshold=0.9,
                                show_progress=False)
    assert (explicit.threshold, explicit.threshold_source) == (0.9,
                                                               'argument')
    with pytest.raises(ValueError, match='finite'):
        DefectInferencer(TOY_CONFIG, calibrated, threshold=float('nan'))
    with pytest.raises(ValueError, match='image-level threshold'):
        DefectInferencer(
            TOY_CONFIG,
            stored_threshold(checkpoint, tmp_path, 'image.pth', value=0.4,
                             level='image', method='f1',
                             score_rule=ScoreRule()),
            show_progress=False)
    with pytest.raises(ValueError, match='no meta'):
        DefectInferencer(TOY_CONFIG,
                         stored_threshold(checkpoint, tmp_path, 'bare.pth'),
                         show_progress=False)


def test_checkpoint_of_another_model_is_refused(checkpoint, toy_root,
                                                tmp_path):
    """Issue 14 item 1: the weights that fitted were loaded, the others kept
    their random values, and inference went on."""
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    state = ckpt['state_dict']
    key = sorted(k for k in state if k.startswith('decode_head.conv_seg'))[0]
    state[key] = torch.zeros(3, *state[key].shape[1:])
    other = str(tmp_path / 'other.pth')
    torch.save(ckpt, other)
    with pytest.raises(ValueError,
                       match=f'{key}.*strict_checkpoint=False') as err:
        DefectInferencer(TOY_CONFIG, other, show_progress=False)
    assert other in str(err.value)
    loose = DefectInferencer(TOY_CONFIG, other, show_progress=False,
                             strict_checkpoint=False)
    assert loose(toy_pair(toy_root, 1))[0].ok


def test_score_rule_of_the_config_and_a_mismatch(checkpoint, toy_root,
                                                 tmp_path):
    cfg = Config.fromfile(TOY_CONFIG)
    cfg.test_evaluator = [
        dict(type='DefectIoUMetric'),
        dict(type='AnomalyMetric', score_key='seg_logits',
             image_score='topk_mean', topk=10)
    ]
    topk = DefectInferencer(cfg, checkpoint, show_progress=False)
    assert topk.score_rule == ScoreRule('seg_logits', 'topk_mean', 10)
    [result] = topk(toy_pair(toy_root, 1))
    top = np.sort(result.score_map.ravel().astype(np.float64))[-10:]
    assert result.image_score == pytest.approx(top.mean(), abs=1e-12)
    # an image threshold of the max rule does not apply to top-k means
    max_rule = stored_threshold(
        checkpoint, tmp_path, 'max.pth', value=0.4, level='image',
        method='f1', score_rule=ScoreRule())
    with pytest.raises(ValueError, match='score rule'):
        DefectInferencer(cfg, max_rule, threshold_level='image',
                         show_progress=False)


def test_visualisation_and_mask_files(inferencer, toy_root, tmp_path):
    img_path, ref_path = toy_pair(toy_root, 1)
    out_dir = tmp_path / 'out'
    results = inferencer([(img_path, ref_path),
                          (cv2.imread(img_path), cv2.imread(ref_path))],
                         out_dir=str(out_dir), return_vis=True)
    assert all(r.ok for r in results)
    # inspected | reference | prediction | heat map, 4 px gaps
    for result in results:
        assert result.visualization.shape == (64, 4 * 64 + 3 * 4, 3)
        np.testing.assert_array_equal(result.visualization[:, 68:132],
                                      cv2.imread(ref_path)[..., ::-1])
    assert sorted(os.listdir(out_dir / 'vis')) == ['0001.png',
                                                   'array_000001.png']
    saved = cv2.imread(str(out_dir / 'pred' / '0001.png'),
                       cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(saved, results[0].pred_mask)
    assert results[0].out_files['pred'] == str(out_dir / 'pred' / '0001.png')


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


def test_single_image_models_are_refused(checkpoint):
    cfg = Config.fromfile(TOY_CONFIG)
    cfg.model.type = 'EncoderDecoder'
    cfg.model.pop('fusion')
    with pytest.raises(ValueError, match='EncoderDecoder takes single'):
        DefectInferencer(cfg, None, show_progress=False)


def test_shared_reference_is_encoded_once(inferencer, toy_root):
    # one golden reference for several inspected images: encoded once
    # (reference-feature cache), results equal to the uncached path
    ref = toy_pair(toy_root, 0)[1]
    imgs = [toy_pair(toy_root, i)[0] for i in range(3)]
    calls = []
    encode = inferencer.model.encode_reference

    def counting(inputs):
        calls.append(tuple(inputs.shape))
        return encode(inputs)

    inferencer.model.encode_reference = counting
    try:
        shared = inferencer([(img, ref) for img in imgs], batch_size=2)
    finally:
        del inferencer.model.encode_reference
    assert len(calls) == 1 and calls[0][0] == 1
    singles = [inferencer((img, ref))[0] for img in imgs]
    for got, alone in zip(shared, singles):
        assert got.ok and got.reference_cached
        assert not alone.reference_cached
        assert np.abs(got.score_map - alone.score_map).max() <= 1e-5
        np.testing.assert_array_equal(got.pred_mask, alone.pred_mask)
    # the same array object serves the pairs too; distinct references not
    ref_array = cv2.imread(ref)
    by_array = inferencer([(img, ref_array) for img in imgs])
    assert all(r.reference_cached for r in by_array)
    distinct = inferencer([toy_pair(toy_root, i) for i in range(2)])
    assert not any(r.reference_cached for r in distinct)

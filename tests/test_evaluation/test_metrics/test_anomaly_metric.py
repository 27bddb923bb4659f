import pickle
from itertools import chain, zip_longest

import numpy as np
import pytest
import torch

from mmdefect.evaluation.functional.binning import float_to_key, key_to_float
from mmdefect.evaluation.metrics.anomaly_metric import AnomalyMetric
from mmdefect.evaluation.score_rule import ScoreRule
from mmdefect.evaluation.thresholds import f1_optimal_threshold

sklearn_metrics = pytest.importorskip('sklearn.metrics')
KEYS = {'image_AUROC', 'pixel_AUROC', 'PRO', 'AP_det', 'AP_loc', 'F1_max',
        'threshold'}


def to_samples(maps, masks, key='anomaly_map'):
    return [
        {
            'gt_sem_seg': {'data': torch.from_numpy(mask)[None]},
            key: {'data': torch.from_numpy(np.asarray(score))[None]},
        } for score, mask in zip(maps, masks)
    ]


def evaluate(maps, masks, **kwargs):
    metric = AnomalyMetric(**kwargs)
    metric.process({}, to_samples(maps, masks))
    return metric.evaluate(len(maps))


def pooled(maps, masks, ignore_index=255):
    valid = [m != ignore_index for m in masks]
    scores = np.concatenate([s[v] for s, v in zip(maps, valid)])
    labels = np.concatenate([m[v] > 0 for m, v in zip(masks, valid)])
    return scores, labels


def brute_f1(scores, labels):
    best = (-1.0, None)
    for t in np.unique(scores):
        pred = scores >= t
        tp = np.sum(pred & labels)
        f1 = 2 * tp / (pred.sum() + labels.sum())
        if f1 >= best[0]:
            best = (f1, t)
    return best


def test_exact_mode_matches_sklearn(dataset, brute_force_pro):
    maps, masks = dataset
    res = evaluate(maps, masks, binning='exact')
    assert set(res) == KEYS
    scores, labels = pooled(maps, masks)
    assert res['pixel_AUROC'] == pytest.approx(
        sklearn_metrics.roc_auc_score(labels, scores), abs=1e-6)
    assert res['AP_loc'] == pytest.approx(
        sklearn_metrics.average_precision_score(labels, scores), abs=1e-6)
    image_scores = [m.max() for m in maps]
    image_labels = [bool((m > 0).any()) for m in masks]
    assert res['image_AUROC'] == pytest.approx(
        sklearn_metrics.roc_auc_score(image_labels, image_scores), abs=1e-6)
    assert res['AP_det'] == pytest.approx(
        sklearn_metrics.average_precision_score(image_labels, image_scores),
        abs=1e-6)
    f1, threshold = brute_f1(scores, labels)
    assert res['F1_max'] == pytest.approx(f1, abs=1e-9)
    assert res['threshold'] == threshold
    assert res['PRO'] == pytest.approx(
        brute_force_pro(maps, masks), abs=1e-9)


@pytest.mark.parametrize('kwargs,tol', [
    (dict(binning='float'), 1e-3),
    (dict(binning='float', mantissa_bits=6), 1e-3),
    (dict(binning='linear', num_bins=1000, score_range=(-5, 7)), None),
])
def test_binned_modes_close_to_exact(dataset, kwargs, tol, brute_force_pro):
    maps, masks = dataset
    metric = AnomalyMetric(**kwargs)
    metric.process({}, to_samples(maps, masks))
    res = metric.evaluate(len(maps))
    exact = evaluate(maps, masks, binning='exact')
    for key in ('image_AUROC', 'AP_det'):
        assert res[key] == exact[key]
    for key in ('pixel_AUROC', 'AP_loc', 'PRO'):
        error = abs(res[key] - exact[key])
        assert error <= metric.discretisation_bounds[key] + 1e-12, key
        if tol is not None:
            assert error <= tol, key
    if tol is not None:
        assert res['PRO'] == pytest.approx(
            brute_force_pro(maps, masks), abs=tol)
    # The binned F1 is the exact F1 of the reported threshold, maximised
    # over fewer thresholds.
    scores, labels = pooled(maps, masks)
    pred = scores >= res['threshold']
    f1 = 2 * np.sum(pred & labels) / (pred.sum() + labels.sum())
    assert res['F1_max'] == pytest.approx(f1, abs=1e-12)
    assert res['F1_max'] <= exact['F1_max'] + 1e-12


def test_linear_bins_exact_on_grid_scores():
    """Scores on the bin centres: ``num_bins`` bins reproduce sklearn."""
    rng = np.random.default_rng(1)
    masks = [rng.integers(0, 2, (8, 8)) for _ in range(3)]
    masks.append(np.zeros((8, 8), np.int64))
    maps = [((rng.integers(0, 50, (8, 8)) + 30 * m + 0.5) / 100).astype(
        np.float32) for m in masks]
    res = evaluate(maps, masks, binning='linear', num_bins=100)
    scores, labels = pooled(maps, masks)
    assert res['pixel_AUROC'] == pytest.approx(
        sklearn_metrics.roc_auc_score(labels, scores), abs=1e-6)
    assert res['AP_loc'] == pytest.approx(
        sklearn_metrics.average_precision_score(labels, scores), abs=1e-6)


@pytest.mark.parametrize('binning', ['exact', 'float', 'linear'])
def test_perfect_and_inverted_maps(binning):
    masks = [np.zeros((6, 6), np.int64) for _ in range(3)]
    masks[0][1:3, 1:3] = 1
    masks[2][4:, 3:] = 2
    masks[2][0, 0] = 1
    perfect = [(m > 0).astype(np.float32) for m in masks]
    res = evaluate(perfect, masks, binning=binning)
    for key in KEYS - {'threshold'}:
        assert res[key] == pytest.approx(1.0), key
    if binning != 'linear':
        assert res['threshold'] == 1.0
    inverted = [1 - p for p in perfect]
    res = evaluate(inverted, masks, binning=binning)
    assert res['pixel_AUROC'] == pytest.approx(0.0)
    assert res['PRO'] == pytest.approx(0.0)
    # Inverted image scores: defect-free images have the highest maximum.
    image_inverted = [p * 0.5 if m.any() else np.ones_like(p)
                      for p, m in zip(perfect, masks)]
    assert evaluate(image_inverted, masks,
                    binning=binning)['image_AUROC'] == pytest.approx(0.0)


def test_constant_map_ties(make_dataset):
    maps, masks = make_dataset(seed=3)
    const = [np.full_like(m, 0.25) for m in maps]
    res = evaluate(const, masks)
    assert res['pixel_AUROC'] == pytest.approx(0.5)
    assert res['image_AUROC'] == pytest.approx(0.5)
    # PRO = FPR along the single segment (0,0)-(1,1): area 0.045 / 0.3.
    assert res['PRO'] == pytest.approx(0.15)
    scores, labels = pooled(maps, masks)
    assert res['AP_loc'] == pytest.approx(labels.mean())
    assert res['threshold'] == 0.25


def test_ignore_index(dataset, brute_force_pro):
    maps, masks = dataset
    rng = np.random.default_rng(5)
    ignored_masks, ignores = [], []
    for m in masks:
        ignore = rng.random(m.shape) < 0.2
        ignored_masks.append(np.where(ignore, 255, m))
        ignores.append(ignore)
    maps_extreme = [np.where(i, 100.0, s).astype(np.float32)
                    for s, i in zip(maps, ignores)]
    res = evaluate(maps_extreme, ignored_masks, binning='exact')
    scores, labels = pooled(maps_extreme, ignored_masks)
    assert scores.max() < 100
    assert res['pixel_AUROC'] == pytest.approx(
        sklearn_metrics.roc_auc_score(labels, scores), abs=1e-6)
    assert res['PRO'] == pytest.approx(
        brute_force_pro(maps_extreme, masks, ignores=ignores), abs=1e-9)
    # Custom ignore index.
    res_0 = evaluate(maps, [np.where(i, 7, m) for m, i in zip(masks, ignores)],
                     binning='exact', ignore_index=7)
    assert res_0['pixel_AUROC'] == pytest.approx(
        sklearn_metrics.roc_auc_score(*pooled(maps, ignored_masks)[::-1]),
        abs=1e-6)


def test_topk_image_score():
    score = np.arange(16, dtype=np.float32).reshape(4, 4)
    mask = np.zeros((4, 4), np.int64)
    for topk, expected in [(3, 14.0), (0.25, 13.5), (1000, 7.5), (1, 15.0)]:
        metric = AnomalyMetric(image_score='topk_mean', topk=topk)
        metric.process({}, to_samples([score], [mask]))
        assert metric.results[0]['image_score'] == pytest.approx(expected)
    metric = AnomalyMetric()
    metric.process({}, to_samples([score], [mask]))
    assert metric.results[0]['image_score'] == 15.0
    assert metric.results[0]['image_label'] is False


def test_seg_logits_input(dataset):
    maps, masks = dataset
    rng = np.random.default_rng(2)
    logits = [np.stack([-s, s + rng.normal(size=s.shape)]).astype(np.float32)
              for s in maps]
    metric = AnomalyMetric(score_key='seg_logits', binning='exact')
    metric.process({}, [{
        'gt_sem_seg': {'data': torch.from_numpy(m)[None]},
        'seg_logits': {'data': torch.from_numpy(logit)}
    } for logit, m in zip(logits, masks)])
    res = metric.evaluate(len(maps))
    probs = [torch.softmax(torch.from_numpy(logit).double(), 0)[1].numpy()
             for logit in logits]
    scores, labels = pooled([p.astype(np.float32) for p in probs], masks)
    assert res['pixel_AUROC'] == pytest.approx(
        sklearn_metrics.roc_auc_score(labels, scores), abs=1e-6)
    # One channel: sigmoid.
    metric = AnomalyMetric(score_key='seg_logits')
    metric.process({}, [{
        'gt_sem_seg': {'data': torch.from_numpy(masks[0])[None]},
        'seg_logits': {'data': torch.zeros(1, 16, 16)}
    }])
    assert metric.results[0]['image_score'] == 0.5


def test_two_ranks_match_one_rank(dataset):
    maps, masks = dataset
    maps, masks = maps[:5], masks[:5]
    samples = to_samples(maps, masks)
    single = AnomalyMetric()
    single.process({}, samples)
    expected = single.compute_metrics(single.results)
    # DistributedSampler: rank r gets r, r + 2, ...; rank 1 is padded with
    # sample 0. mmengine interleaves the ranks' lists and truncates.
    ranks = [AnomalyMetric(), AnomalyMetric()]
    ranks[0].process({}, samples[0::2])
    ranks[1].process({}, samples[1::2] + samples[:1])
    parts = [pickle.loads(pickle.dumps(r.results)) for r in ranks]
    collected = [
        r for r in chain.from_iterable(zip_longest(*parts)) if r is not None
    ][:len(samples)]
    assert [r['image_score'] for r in collected
            ] == [r['image_score'] for r in single.results]
    result = AnomalyMetric().compute_metrics(collected)
    for key in KEYS:
        assert result[key] == expected[key]
    # Without truncation the padded duplicate would change the numbers.
    padded = AnomalyMetric().compute_metrics(parts[0] + parts[1])
    assert padded != expected


def test_results_are_small_arrays(make_dataset):
    maps, masks = make_dataset(size=64, num_images=2)
    metric = AnomalyMetric(binning='linear', num_bins=16,
                           score_range=(-4, 6))
    metric.process({}, to_samples(maps, masks))
    for result in metric.results:
        for key in ('neg_keys', 'neg_counts'):
            assert result[key].dtype == np.uint32
            assert result[key].size <= 16
        assert result['pos_keys'].size <= 16 * result['num_regions']
        assert not any(isinstance(v, torch.Tensor) for v in result.values())


def test_no_defective_image_gives_nan_with_warning(make_dataset):
    maps, masks = make_dataset()
    masks = [np.zeros_like(m) for m in masks]
    with pytest.warns(UserWarning, match='defect'):
        res = evaluate(maps, masks)
    assert set(res) == KEYS
    assert all(np.isnan(v) for v in res.values())


def test_all_images_defective_warns(make_dataset):
    maps, masks = make_dataset(defect_free=())
    with pytest.warns(UserWarning, match='image_AUROC is undefined'):
        res = evaluate(maps, masks)
    assert np.isnan(res['image_AUROC'])
    assert res['AP_det'] == 1.0
    assert 0 < res['pixel_AUROC'] <= 1


def test_linear_clipping_warns(dataset):
    maps, masks = dataset
    with pytest.warns(UserWarning, match='clipped'):
        res = evaluate(maps, masks, binning='linear')
    assert 0 <= res['PRO'] <= 1


def test_bad_inputs():
    mask = np.zeros((4, 4), np.int64)
    score = np.zeros((4, 4), np.float32)
    metric = AnomalyMetric()
    with pytest.raises(KeyError, match="no 'anomaly_map'"):
        metric.process({}, to_samples([score], [mask], key='other'))
    with pytest.raises(KeyError, match="no 'gt_sem_seg'"):
        metric.process({}, [{'anomaly_map': {'data': torch.zeros(1, 4, 4)}}])
    with pytest.raises(ValueError, match='shape mismatch'):
        metric.process({}, to_samples([np.zeros((4, 5), np.float32)], [mask]))
    with pytest.raises(ValueError, match=r'\(1, H, W\)'):
        metric.process({}, to_samples([np.zeros((2, 4, 4))], [mask]))
    with pytest.raises(ValueError, match='NaN'):
        metric.process({}, to_samples([score * np.nan], [mask]))
    with pytest.raises(ValueError, match=r'\(C, H, W\)'):
        AnomalyMetric(score_key='seg_logits').process(
            {}, [{
                'gt_sem_seg': {'data': torch.from_numpy(mask)[None]},
                'seg_logits': {'data': torch.zeros(4, 4)}
            }])
    for kwargs in [dict(image_score='mean'), dict(topk=0), dict(topk=1.5),
                   dict(binning='log'), dict(mantissa_bits=24),
                   dict(binning='linear', score_range=(1, 0)),
                   dict(fpr_limit=0), dict(connectivity=6),
                   dict(score_key='logits')]:
        with pytest.raises(ValueError):
            AnomalyMetric(**kwargs)
    assert metric.results == []


def test_registered_and_prefix(make_dataset):
    from mmseg.registry import METRICS
    metric = METRICS.build(dict(type='AnomalyMetric', prefix='anomaly'))
    assert isinstance(metric, AnomalyMetric)
    maps, masks = make_dataset(num_images=3, defect_free=(1, ))
    metric.process({}, to_samples(maps, masks))
    assert set(metric.evaluate(3)) == {f'anomaly/{k}' for k in KEYS}


@pytest.mark.parametrize('chunk', [1, 2, 5])
def test_chunked_merge_matches_single_merge(dataset, chunk):
    maps, masks = dataset
    metric = AnomalyMetric(binning='exact')
    metric.process({}, to_samples(maps, masks))
    expected = metric.compute_metrics(metric.results)
    metric.merge_chunk = chunk
    result = metric.compute_metrics(metric.results)
    for key in KEYS:
        assert result[key] == pytest.approx(expected[key], abs=1e-12)


def normal_pixels(maps, masks, ignore_index=255):
    return np.concatenate([
        s[m != ignore_index] for s, m in zip(maps, masks)
        if not ((m > 0) & (m != ignore_index)).any()
    ])


def test_quantile_thresholds_exact_binning_equal_numpy(dataset):
    maps, masks = dataset  # images 1 and 4 are defect-free
    rng = np.random.default_rng(3)
    masks = [np.where(rng.random(m.shape) < 0.1, 255, m) for m in masks]
    maps[1][masks[1] == 255] = 100.0  # ignored: must not count
    specs = [dict(method='quantile', q=0.9), dict(method='quantile', q=1.0),
             dict(method='quantile', q=0.5, level='image')]
    metric = AnomalyMetric(binning='exact', thresholds=specs)
    metric.process({}, to_samples(maps, masks))
    res = metric.evaluate(len(maps))
    normal = normal_pixels(maps, masks)
    assert normal.max() < 100
    assert res['pixel_threshold_quantile@0.9'] == np.quantile(
        normal, 0.9, method='inverted_cdf')
    assert res['pixel_threshold_quantile@1.0'] == normal.max()
    normal_images = [maps[1].max(), maps[4].max()]
    assert res['image_threshold_quantile@0.5'] == np.quantile(
        normal_images, 0.5, method='inverted_cdf')
    record = metric.calibrated['pixel_threshold_quantile@0.9']
    assert record['value'] == res['pixel_threshold_quantile@0.9']
    assert (record['level'], record['method'], record['q']) == ('pixel',
                                                                'quantile',
                                                                0.9)
    assert record['score_rule'] == ScoreRule('anomaly_map').to_dict()
    assert record['num_images'] == 6 and record['num_normal_images'] == 2
    assert record['num_pixels'] == normal.size
    assert record['binning'] == 'exact'
    assert metric.calibrated['image_threshold_quantile@0.5'][
        'binning'] == 'exact'
    assert metric.calibration_errors == {}


@pytest.mark.parametrize('kwargs', [
    dict(binning='float', mantissa_bits=6),
    dict(binning='linear', num_bins=50, score_range=(-5, 7)),
])
def test_binned_quantile_is_the_edge_of_the_quantile_bin(dataset, kwargs):
    maps, masks = dataset
    metric = AnomalyMetric(thresholds=[dict(method='quantile', q=0.95)],
                           **kwargs)
    metric.process({}, to_samples(maps, masks))
    value = metric.evaluate(len(maps))['pixel_threshold_quantile@0.95']
    exact = np.quantile(normal_pixels(maps, masks), 0.95,
                        method='inverted_cdf')
    record = metric.calibrated['pixel_threshold_quantile@0.95']
    assert value <= exact < record['bin_upper']
    if kwargs['binning'] == 'float':
        key = float_to_key(np.float32(exact), 6)
        assert value == key_to_float(key, 6)
        assert record['mantissa_bits'] == 6
        assert record['bin_upper'] == key_to_float(key + 1, 6)
    else:
        assert record['bin_upper'] - value == pytest.approx(12 / 50)
        assert record['num_bins'] == 50 and record['score_range'] == (-5, 7)


def test_f1_thresholds_pixel_and_image(dataset):
    maps, masks = dataset
    metric = AnomalyMetric(binning='exact', image_score='topk_mean', topk=5,
                           thresholds=[dict(method='f1'),
                                       dict(method='f1', level='image')])
    metric.process({}, to_samples(maps, masks))
    res = metric.evaluate(len(maps))
    assert res['pixel_threshold_f1'] == res['threshold']
    image_scores = [np.sort(m.ravel().astype(np.float64))[-5:].mean()
                    for m in maps]
    image_labels = [bool((m > 0).any()) for m in masks]
    expected, f1 = f1_optimal_threshold(image_scores, image_labels)
    assert res['image_threshold_f1'] == expected
    record = metric.calibrated['image_threshold_f1']
    assert record['f1'] == f1 and record['fallback'] is None
    assert record['score_rule'] == dict(source='anomaly_map',
                                        image_score='topk_mean', topk=5)
    assert metric.calibrated['pixel_threshold_f1']['f1'] == res['F1_max']


def test_f1_without_defects_falls_back_above_the_maximum(make_dataset):
    maps, masks = make_dataset()
    masks = [np.zeros_like(m) for m in masks]
    metric = AnomalyMetric(binning='float',
                           thresholds=[dict(method='f1'),
                                       dict(method='f1', level='image')])
    metric.process({}, to_samples(maps, masks))
    with pytest.warns(UserWarning, match='no defect sample.*falling back'):
        res = metric.evaluate(len(maps))
    top = max(m.max() for m in maps)
    assert res['pixel_threshold_f1'] > top
    assert res['pixel_threshold_f1'] == key_to_float(
        float_to_key(np.float32(top), 10) + 1, 10)
    assert res['image_threshold_f1'] == np.nextafter(np.float64(top),
                                                     np.inf)
    for key in ('pixel_threshold_f1', 'image_threshold_f1'):
        assert metric.calibrated[key]['fallback'] == 'above_max'
        assert np.isnan(metric.calibrated[key]['f1'])
    assert np.isnan(res['threshold'])  # the F1_max key stays undefined


def test_quantile_without_defect_free_images_is_nan_with_reason(
        make_dataset):
    maps, masks = make_dataset(defect_free=())
    metric = AnomalyMetric(thresholds=[dict(method='quantile', q=0.99),
                                       dict(method='quantile',
                                            level='image')])
    metric.process({}, to_samples(maps, masks))
    with pytest.warns(UserWarning, match='no defect-free image'):
        res = metric.evaluate(len(maps))
    assert np.isnan(res['pixel_threshold_quantile@0.99'])
    assert np.isnan(res['image_threshold_quantile@0.999'])
    assert metric.calibrated == {}
    assert 'no defect-free image among the 6' in metric.calibration_errors[
        'pixel_threshold_quantile@0.99']


def test_threshold_specs_are_validated():
    for thresholds, match in [
        ([dict(method='otsu')], 'method'),
        ([dict(method='f1', level='region')], 'level'),
        ([dict(method='quantile', q=1.5)], r"\['q'\]"),
        ([dict(method='f1', q=0.5)], 'only for'),
        ([dict(method='f1', fallback='min')], 'unknown fields'),
        ([dict(method='f1'), dict(method='f1', level='pixel')], 'repeats'),
    ]:
        with pytest.raises(ValueError, match=match):
            AnomalyMetric(thresholds=thresholds)
    with pytest.raises(TypeError):
        AnomalyMetric(thresholds=['f1'])


def test_curves_out(dataset, tmp_path):
    maps, masks = dataset
    out = tmp_path / 'sub' / 'curves.npz'
    metric = AnomalyMetric(binning='exact', curves_out=str(out),
                           prefix='anomaly')
    metric.process({}, to_samples(maps, masks))
    res = metric.evaluate(len(maps))
    with np.load(out) as data:
        np.testing.assert_array_equal(data['image_scores'],
                                      [m.max() for m in maps])
        assert data['image_labels'].tolist() == [
            bool((m > 0).any()) for m in masks]
        scores, labels = pooled(maps, masks)
        assert data['pixel_pos'].sum() == labels.sum()
        assert data['pixel_neg'].sum() == (~labels).sum()
        np.testing.assert_array_equal(data['pixel_edges'],
                                      np.unique(scores.astype(np.float32)))
        assert 'anomaly_map' in str(data['score_rule'])
    assert res['anomaly/pixel_AUROC'] > 0.5
    # Its own file is rewritten by the next evaluation; a foreign one never.
    metric.process({}, to_samples(maps[:2], masks[:2]))
    metric.evaluate(2)
    with np.load(out) as data:
        assert data['image_scores'].shape == (2, )
    with pytest.raises(FileExistsError, match='never overwritten'):
        AnomalyMetric(curves_out=str(out))


def test_curves_file_gets_the_umask_mode(dataset, tmp_path):
    """Before: 0600 whatever the umask (mkstemp; issue 14 item 6)."""
    import os
    maps, masks = dataset
    out = tmp_path / 'curves.npz'
    metric = AnomalyMetric(curves_out=str(out))
    metric.process({}, to_samples(maps, masks))
    old = os.umask(0o022)
    try:
        metric.evaluate(len(maps))
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ['curves.npz']

"""evaluate_split, and the one score layer seen from every consumer: the
same logits give bit-identical score maps, image scores and thresholds in
AnomalyMetric, the visualizer, the calibration tool and the inferencer."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.evaluator import BaseMetric
from mmengine.runner.checkpoint import CheckpointLoader
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmdefect.evaluation import AnomalyMetric, ScoreRule, read_threshold
from mmdefect.evaluation.functional.scores import image_score, score_map
from mmdefect.evaluation.model_evaluation import (anomaly_metric_options,
                                                  evaluate_split)
from mmdefect.evaluation.thresholds import f1_optimal_threshold
from mmdefect.testing import TOY_CONFIG, data_options, run_tool
from mmdefect.utils import load_run_config
from mmdefect.visualization import PairedSegLocalVisualizer

LOGITS = ScoreRule('seg_logits', 'topk_mean', 7)


class KeepPredictions(BaseMetric):
    """Keeps the model outputs (to feed them to the other consumers)."""

    def __init__(self):
        super().__init__()
        self.predictions = []

    def process(self, data_batch, data_samples):
        self.predictions.extend(data_samples)
        self.results.extend(range(len(data_samples)))

    def compute_metrics(self, results):
        return dict(num=len(results))


pytestmark = pytest.mark.usefixtures('one_thread')


def toy_config(toy_root, **options):
    options.update(o.split('=', 1) for o in data_options(toy_root))
    return load_run_config(TOY_CONFIG, cfg_options=options)


def thresholds():
    return [dict(method='quantile', q=0.9), dict(method='f1'),
            dict(method='quantile', q=0.5, level='image'),
            dict(method='f1', level='image')]


@pytest.fixture(scope='module')
def evaluated(toy_ckpt, toy_root):
    keep = KeepPredictions()
    metric = AnomalyMetric(score_key=LOGITS.source, image_score='topk_mean',
                           topk=7, binning='exact', thresholds=thresholds())
    res = evaluate_split(toy_config(toy_root), toy_ckpt, [keep, metric],
                         'val', show_progress=False)
    return keep.predictions, metric, res


def test_evaluate_split_runs_the_metrics_over_the_split(evaluated):
    preds, metric, res = evaluated
    assert res['num'] == 4 and len(preds) == 4
    assert [osp.basename(p['img_path']) for p in preds] == [
        f'000{i}.png' for i in range(4)]
    assert {'image_AUROC', 'pixel_threshold_f1'} <= set(res)
    assert metric.calibration_errors == {}


def test_one_score_for_metric_visualizer_calibration_and_inferencer(
        evaluated, toy_ckpt, toy_root, tmp_path):
    preds, metric, res = evaluated
    maps = [score_map(p, 'seg_logits') for p in preds]
    labels = [p['gt_sem_seg']['data'][0].numpy() for p in preds]
    # The visualizer's heat map scores (of the SegDataSample the model
    # returned; the Evaluator handed the metrics its dict).
    for pred, expected in zip(preds, maps):
        sample = SegDataSample(
            seg_logits=PixelData(data=pred['seg_logits']['data']))
        np.testing.assert_array_equal(
            PairedSegLocalVisualizer.defect_score(sample), expected)
    # The metric's image scores (its per-image results).
    again = AnomalyMetric(score_key='seg_logits', image_score='topk_mean',
                          topk=7)
    again.process({}, preds)
    image_scores = [image_score(m, 'topk_mean', 7) for m in maps]
    assert [r['image_score'] for r in again.results] == image_scores
    # The metric's thresholds are the exact ones of these maps.
    is_normal = [not (lab > 0).any() for lab in labels]
    normal = np.concatenate([m.ravel() for m, n in zip(maps, is_normal) if n])
    assert res['pixel_threshold_quantile@0.9'] == np.quantile(
        normal, 0.9, method='inverted_cdf')
    assert res['pixel_threshold_f1'] == f1_optimal_threshold(
        maps, [lab > 0 for lab in labels])[0]
    assert res['image_threshold_f1'] == f1_optimal_threshold(
        image_scores, [not n for n in is_normal])[0]
    # The calibration tool writes exactly the metric's threshold.
    for args, key in [(['--q', '0.9'], 'pixel_threshold_quantile@0.9'),
                      (['--method', 'f1', '--level', 'image'],
                       'image_threshold_f1')]:
        out = str(tmp_path / f'{key}.pth')
        run_tool([
            'tools/analysis_tools/calibrate_threshold.py', TOY_CONFIG,
            toy_ckpt, '--out', out, '--binning', 'exact', '--score-key',
            'seg_logits', '--image-score', 'topk_mean', '--topk', '7',
            '--no-progress', *args, '--cfg-options', *data_options(toy_root)
        ])
        meta = CheckpointLoader.load_checkpoint(out, map_location='cpu')[
            'meta']
        level = metric.calibrated[key]['level']
        value, info = read_threshold(meta, LOGITS, level, out)
        assert value == res[key]
        assert {k: info[k] for k in metric.calibrated[key]} == \
            metric.calibrated[key] | dict(value=res[key])
    # The inferencer scores the same pairs with the same layer.
    from mmdefect.apis import DefectInferencer
    inferencer = DefectInferencer(
        toy_config(toy_root, test_evaluator=dict(
            type='AnomalyMetric', score_key='seg_logits',
            image_score='topk_mean', topk=7)),
        toy_ckpt, threshold=res['pixel_threshold_f1'], show_progress=False)
    pairs = [(p['img_path'], p['ref_path']) for p in preds]
    results = inferencer(pairs)
    for result, expected, score, in zip(results, maps, image_scores):
        assert result.ok, result.error
        np.testing.assert_array_equal(result.score_map, expected)
        assert result.image_score == score
        np.testing.assert_array_equal(
            result.defect_mask, expected >= res['pixel_threshold_f1'])


def test_anomaly_map_passthrough_for_metric_and_visualizer():
    rng = np.random.default_rng(0)
    samples, maps = [], []
    for i in range(3):
        amap = rng.random((1, 8, 8)).astype(np.float32)
        sample = SegDataSample()
        sample.anomaly_map = PixelData(data=torch.from_numpy(amap))
        sample.seg_logits = PixelData(data=torch.randn(2, 8, 8))
        sample.gt_sem_seg = PixelData(
            data=torch.from_numpy((amap > 0.9).astype(np.int64) * i))
        samples.append(sample)
        maps.append(amap[0])
    metric = AnomalyMetric(binning='exact',
                           thresholds=[dict(method='quantile', q=0.75)])
    metric.process({}, samples)
    assert [r['image_score'] for r in metric.results] == [
        float(m.max()) for m in maps]
    res = metric.evaluate(3)
    assert res['pixel_threshold_quantile@0.75'] == np.quantile(
        maps[0], 0.75, method='inverted_cdf')  # image 0 is defect-free
    for sample, amap in zip(samples, maps):
        np.testing.assert_array_equal(
            PairedSegLocalVisualizer.defect_score(sample), amap)


def test_options_of_the_configs_anomaly_metric(toy_root):
    cfg = toy_config(toy_root)
    assert anomaly_metric_options(cfg, 'val') == {}
    cfg.val_evaluator = [
        dict(type='DefectIoUMetric'),
        dict(type='mmdefect.AnomalyMetric', score_key='seg_logits', topk=3,
             binning='linear', fpr_limit=0.1)
    ]
    assert anomaly_metric_options(cfg, 'val') == dict(
        score_key='seg_logits', topk=3, binning='linear')
    cfg.test_evaluator = dict(metrics=[dict(type='AnomalyMetric',
                                            image_score='topk_mean')])
    assert anomaly_metric_options(cfg, 'test') == dict(
        image_score='topk_mean')


def test_evaluate_split_refuses_random_weights_and_missing_loaders(toy_root):
    cfg = toy_config(toy_root)
    with pytest.raises(ValueError, match='checkpoint is required'):
        evaluate_split(cfg, None, [AnomalyMetric()], show_progress=False)
    cfg.val_dataloader = None
    with pytest.raises(ValueError, match='no val_dataloader'):
        evaluate_split(cfg, 'x.pth', [AnomalyMetric()], show_progress=False)


def test_evaluate_split_refuses_another_models_checkpoint(toy_ckpt,
                                                          toy_root):
    """Before: loaded non-strictly, the other head evaluated at random."""
    from mmdefect.engine import CheckpointMismatchError
    cfg = toy_config(toy_root, **{'model.decode_head.channels': 16})
    with pytest.raises(CheckpointMismatchError) as err:
        evaluate_split(cfg, toy_ckpt, [AnomalyMetric()], show_progress=False,
                       mismatch_hint='pass --allow-mismatched-checkpoint')
    message = str(err.value)
    assert message.startswith(f'checkpoint {toy_ckpt} does not match')
    assert ('decode_head.conv_seg.weight 2x32x1x1 in the checkpoint, '
            '2x16x1x1 in the model') in message
    assert message.endswith('pass --allow-mismatched-checkpoint.')
    keep = KeepPredictions()
    res = evaluate_split(cfg, toy_ckpt, [keep], show_progress=False,
                         strict_checkpoint=False)
    assert res['num'] == 4

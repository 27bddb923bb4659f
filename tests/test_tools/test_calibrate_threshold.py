"""tools/analysis_tools/calibrate_threshold.py: the metric's threshold,
written with its record to a new checkpoint; inputs are never
overwritten."""
import os.path as osp

import pytest
from mmengine.runner.checkpoint import CheckpointLoader

from mmdefect.evaluation import AnomalyMetric, ScoreRule, read_threshold
from mmdefect.evaluation.model_evaluation import evaluate_split
from mmdefect.testing import TOY_CONFIG, data_options, run_tool
from mmdefect.utils import load_run_config

TOOL = 'tools/analysis_tools/calibrate_threshold.py'


pytestmark = pytest.mark.usefixtures('one_thread')


def run(ckpt, toy_root, *extra, cfg=(), expect_ok=True):
    return run_tool([TOOL, TOY_CONFIG, ckpt, '--no-progress', *extra,
                     '--cfg-options', *data_options(toy_root), *cfg],
                    expect_ok=expect_ok)


def metric_threshold(ckpt, toy_root, spec, **kwargs):
    """The same threshold from AnomalyMetric run in this process."""
    options = dict(o.split('=', 1) for o in data_options(toy_root))
    cfg = load_run_config(TOY_CONFIG, cfg_options=options)
    metric = AnomalyMetric(thresholds=[spec], **kwargs)
    evaluate_split(cfg, ckpt, metric, 'val', show_progress=False)
    (record, ) = metric.calibrated.values()
    return record


def test_quantile_writes_the_metrics_threshold_to_a_new_checkpoint(
        toy_ckpt, toy_root, tmp_path):
    out = str(tmp_path / 'q.pth')
    before = open(toy_ckpt, 'rb').read()
    output = run(toy_ckpt, toy_root, '--q', '0.99', '--out', out)
    assert f'written to {out}' in output
    # Defaults: the score rule 'auto' and AnomalyMetric's float binning.
    expected = metric_threshold(toy_ckpt, toy_root,
                                dict(method='quantile', q=0.99),
                                score_key='auto')
    meta = CheckpointLoader.load_checkpoint(out, map_location='cpu')['meta']
    assert meta['defect_threshold'] == expected['value']
    info = meta['defect_threshold_info']
    for key in ('value', 'level', 'method', 'q', 'score_rule', 'num_images',
                'num_normal_images', 'num_pixels', 'binning',
                'mantissa_bits', 'bin_upper'):
        assert info[key] == expected[key], key
    assert (info['level'], info['method'], info['split']) == ('pixel',
                                                              'quantile',
                                                              'val')
    assert info['num_images'] == 4 and info['num_normal_images'] == 1
    assert info['source_checkpoint'] == osp.abspath(toy_ckpt)
    assert read_threshold(meta, ScoreRule('seg_logits'), 'pixel')[0] == \
        expected['value']
    with pytest.raises(ValueError, match='pixel-level.*image level'):
        read_threshold(meta, ScoreRule(), 'image')
    assert open(toy_ckpt, 'rb').read() == before
    # The inferencer applies it at the pixel level and refuses it for images.
    from mmdefect.apis import DefectInferencer
    inferencer = DefectInferencer(TOY_CONFIG, out, show_progress=False)
    assert inferencer.threshold == expected['value']
    assert inferencer.threshold_source == 'checkpoint'
    with pytest.raises(ValueError, match='pixel-level.*image level'):
        DefectInferencer(TOY_CONFIG, out, threshold_level='image',
                         show_progress=False)
    assert 'defect_threshold' not in CheckpointLoader.load_checkpoint(
        toy_ckpt, map_location='cpu').get('meta', {})


def test_image_f1_with_the_configs_score_rule(toy_ckpt, toy_root, tmp_path):
    out = str(tmp_path / 'f1.pth')
    run(toy_ckpt, toy_root, '--mode', 'f1', '--level', 'image', '--out',
        out, cfg=['val_evaluator.type=AnomalyMetric',
             'val_evaluator.score_key=seg_logits',
             'val_evaluator.image_score=topk_mean', 'val_evaluator.topk=10'])
    meta = CheckpointLoader.load_checkpoint(out, map_location='cpu')['meta']
    info = meta['defect_threshold_info']
    rule = ScoreRule('seg_logits', 'topk_mean', 10)
    assert info['score_rule'] == rule.to_dict()
    expected = metric_threshold(toy_ckpt, toy_root,
                                dict(method='f1', level='image'),
                                score_key='seg_logits',
                                image_score='topk_mean', topk=10)
    assert read_threshold(meta, rule, 'image')[0] == expected['value']
    assert info['f1'] == expected['f1'] and info['binning'] == 'exact'
    assert info['method'] == 'f1' and info['q'] is None
    with pytest.raises(ValueError, match="'topk': 10.*'topk': 100"):
        read_threshold(meta, ScoreRule('seg_logits', 'topk_mean'), 'image')


def test_default_name_and_refusal_to_overwrite(toy_ckpt, toy_root,
                                               tmp_path):
    source = tmp_path / 'model.pth'
    source.write_bytes(open(toy_ckpt, 'rb').read())
    run(str(source), toy_root)
    calibrated = tmp_path / 'model_calibrated.pth'
    content = calibrated.read_bytes()
    assert 'already exists' in run(str(source), toy_root, expect_ok=False)
    assert calibrated.read_bytes() == content
    assert 'is the input checkpoint' in run(
        str(source), toy_root, '--out', str(source), expect_ok=False)
    assert source.read_bytes() == open(toy_ckpt, 'rb').read()


def test_no_defect_free_image_is_a_clear_error(toy_ckpt, toy_root,
                                               tmp_path):
    out = tmp_path / 'none.pth'
    # test images 1-3 of the toy set all have defects
    output = run(toy_ckpt, toy_root, '--out', str(out),
                 cfg=['val_dataloader.dataset.indices=[1,2,3]'],
                 expect_ok=False)
    assert 'no defect-free image among the 3 images' in output
    assert not out.exists()


def test_checkpoint_of_another_model_is_refused(toy_ckpt, toy_root,
                                                tmp_path):
    """Before: a threshold of a partly random model was written (issue 14
    item 1: calibration refuses another model's checkpoint)."""
    out = tmp_path / 'other.pth'
    other = ['model.decode_head.channels=16']
    output = run(toy_ckpt, toy_root, '--out', str(out), cfg=other,
                 expect_ok=False)
    assert f'checkpoint {toy_ckpt} does not match the model' in output
    assert ('decode_head.conv_seg.weight 2x32x1x1 in the checkpoint, '
            '2x16x1x1 in the model') in output
    assert 'pass --allow-mismatched-checkpoint' in output
    assert not out.exists()
    output = run(toy_ckpt, toy_root, '--out', str(out),
                 '--allow-mismatched-checkpoint', cfg=other)
    assert 'Loading it anyway' in output and f'written to {out}' in output
    assert out.exists()

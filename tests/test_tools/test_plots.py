"""ROC/PR curves and the per-class IoU bar chart are written as PNGs."""
import json
import os

import cv2
import numpy as np
import pytest

from mmdefect.evaluation import AnomalyMetric
from mmdefect.evaluation.functional.binned_roc import (counts_from_scores,
                                                       curves_from_counts)
from mmdefect.evaluation.model_evaluation import evaluate_split
from mmdefect.testing import TOY_CONFIG as CONFIG
from mmdefect.testing import data_options, run_tool
from mmdefect.utils import load_run_config

PLOT_CURVES = 'tools/analysis_tools/plot_curves.py'
PLOT_CLASS_IOU = 'tools/analysis_tools/plot_class_iou.py'
pytestmark = pytest.mark.usefixtures('one_thread')


def assert_png(path, min_size=(200, 200)):
    assert os.path.getsize(path) > 0
    image = cv2.imread(str(path))
    assert image is not None
    assert image.shape[0] >= min_size[0] and image.shape[1] >= min_size[1]
    assert image.std() > 0  # not a blank canvas


def test_curves_from_the_model_and_from_the_results_file(
        toy_ckpt, toy_root, tmp_path):
    out_dir = tmp_path / 'curves'
    printed = run_tool([PLOT_CURVES, CONFIG, toy_ckpt, '--out-dir',
                        str(out_dir), '--no-progress', '--cfg-options'] +
                       data_options(toy_root))
    for name in ('roc.png', 'pr.png'):
        assert_png(out_dir / name)
    summary = [line for line in printed.splitlines()
               if line.startswith(('image: AUROC', 'pixel: AUROC'))]
    assert len(summary) == 2
    with np.load(out_dir / 'curves.npz') as data:
        assert data['image_scores'].shape == (4, )
        assert data['image_labels'].tolist() == [False, True, True, True]
        assert data['pixel_pos'].sum() + data['pixel_neg'].sum() == 4 * 64 * 64
        assert json.loads(str(data['binning'])) == dict(binning='float',
                                                        mantissa_bits=10)
        curve_data = {key: data[key] for key in data.files}

    # The printed areas are those of the metric's histograms.
    options = dict(o.split('=', 1) for o in data_options(toy_root))
    metric = AnomalyMetric(score_key='auto')
    res = evaluate_split(load_run_config(CONFIG, cfg_options=options),
                         toy_ckpt, metric, 'test', show_progress=False)
    assert f'image: AUROC {res["image_AUROC"]:.4f}  AP {res["AP_det"]:.4f}' \
        in summary[0]
    assert f'pixel: AUROC {res["pixel_AUROC"]:.4f}  AP {res["AP_loc"]:.4f}' \
        in summary[1]
    _, pos, neg = counts_from_scores(curve_data['image_scores'],
                                     curve_data['image_labels'])
    assert curves_from_counts(pos, neg)['auroc'] == res['image_AUROC']
    assert curves_from_counts(curve_data['pixel_pos'],
                              curve_data['pixel_neg'])['ap'] == res['AP_loc']

    replot = tmp_path / 'replot'
    again = run_tool([PLOT_CURVES, '--results', str(out_dir / 'curves.npz'),
                      '--out-dir', str(replot)])
    assert [line for line in again.splitlines()
            if line.startswith(('image:', 'pixel:'))] == summary
    for name in ('roc.png', 'pr.png'):
        assert_png(replot / name)
    # The curve data of the first run is never overwritten.
    content = (out_dir / 'curves.npz').read_bytes()
    output = run_tool([PLOT_CURVES, CONFIG, toy_ckpt, '--out-dir',
                       str(out_dir), '--no-progress'], expect_ok=False)
    assert 'already exists' in output
    assert (out_dir / 'curves.npz').read_bytes() == content


def test_missing_results_file_is_a_clear_error(tmp_path):
    output = run_tool([PLOT_CURVES, '--results', str(tmp_path / 'x.npz'),
                       '--out-dir', str(tmp_path)], expect_ok=False)
    assert 'results file' in output and 'not found' in output


def test_class_iou_bar_chart_uses_the_newest_test_record(tmp_path):
    old, new = tmp_path / '20260101_000000', tmp_path / '20260102_000000'
    for folder, iou in ((old, 10.0), (new, 42.5)):
        folder.mkdir()
        record = {'aAcc': 97.0, 'mIoU': 60.0, 'mIoU_defect': iou,
                  'IoU.background': 95.0, 'IoU.line': iou, 'IoU.abpt': 30.0}
        (folder / f'{folder.name}.json').write_text(json.dumps(record) + '\n')
    printed = run_tool([PLOT_CLASS_IOU, str(tmp_path)])
    assert 'line 42.50' in printed and 'background 95.00' in printed
    assert f'saved {new / "IoU_per_class.png"}' in printed
    assert_png(new / 'IoU_per_class.png', min_size=(200, 300))
    out = tmp_path / 'chart.png'
    printed = run_tool([PLOT_CLASS_IOU, str(old / '20260101_000000.json'),
                        '--out', str(out)])
    assert 'line 10.00' in printed
    assert_png(out)


def test_class_iou_without_metrics_is_a_clear_error(tmp_path):
    output = run_tool([PLOT_CLASS_IOU, str(tmp_path)], expect_ok=False)
    assert 'plot_class_iou: no test metrics with "IoU.<class>"' in output

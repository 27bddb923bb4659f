"""ROC/PR curves and the per-class IoU bar chart are written as PNGs."""
import json
import os

import cv2
import numpy as np
import pytest

from mmdefect.testing import TOY_CONFIG as CONFIG
from mmdefect.testing import data_options, single_thread, toy_checkpoint
from tools.analysis_tools import plot_class_iou, plot_curves


@pytest.fixture(scope='module', autouse=True)
def _one_thread():
    with single_thread():
        yield


@pytest.fixture(scope='module')
def checkpoint(toy_root, tmp_path_factory):
    return toy_checkpoint(toy_root, tmp_path_factory)


def assert_png(path, min_size=(200, 200)):
    assert os.path.getsize(path) > 0
    image = cv2.imread(str(path))
    assert image is not None
    assert image.shape[0] >= min_size[0] and image.shape[1] >= min_size[1]
    assert image.std() > 0  # not a blank canvas


def test_curves_from_the_model_and_from_the_results_file(
        checkpoint, toy_root, tmp_path, capsys):
    out_dir = tmp_path / 'curves'
    assert plot_curves.main(
        [CONFIG, checkpoint, '--out-dir', str(out_dir), '--no-progress',
         '--cfg-options'] + data_options(toy_root)) == 0
    for name in ('roc.png', 'pr.png'):
        assert_png(out_dir / name)
    printed = capsys.readouterr().out
    assert 'image: AUROC' in printed and 'pixel: AUROC' in printed
    with np.load(out_dir / 'curves.npz') as data:
        assert data['image_scores'].shape == (4, )
        assert data['image_labels'].tolist() == [False, True, True, True]
        assert data['pixel_pos'].sum() + data['pixel_neg'].sum() == 4 * 64 * 64

    replot = tmp_path / 'replot'
    assert plot_curves.main(['--results', str(out_dir / 'curves.npz'),
                             '--out-dir', str(replot)]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == printed.splitlines(
    )[1:3]
    for name in ('roc.png', 'pr.png'):
        assert_png(replot / name)


def test_curve_values_on_a_hand_built_case():
    data = dict(
        image_scores=np.array([0.1, 0.9, 0.8, 0.2]),
        image_labels=np.array([False, True, True, False]),
        pixel_pos=np.array([0, 1, 3]),
        pixel_neg=np.array([5, 1, 0]))
    summary = plot_curves.curves(data)
    assert summary['image']['auroc'] == 1.0 and summary['image']['ap'] == 1.0
    # descending thresholds: (tp, fp) = (3, 0), (4, 1), (4, 6)
    assert summary['pixel']['ap'] == pytest.approx(0.75 * 1 + 0.25 * 0.8)
    np.testing.assert_allclose(summary['pixel']['recall'], [0, 0.75, 1, 1])


def test_class_iou_bar_chart_uses_the_newest_test_record(tmp_path, capsys):
    old, new = tmp_path / '20260101_000000', tmp_path / '20260102_000000'
    for folder, iou in ((old, 10.0), (new, 42.5)):
        folder.mkdir()
        record = {'aAcc': 97.0, 'mIoU': 60.0, 'mIoU_defect': iou,
                  'IoU.background': 95.0, 'IoU.line': iou, 'IoU.abpt': 30.0}
        (folder / f'{folder.name}.json').write_text(json.dumps(record) + '\n')
    assert plot_class_iou.main([str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert 'line 42.50' in printed and 'background 95.00' in printed
    assert_png(new / 'IoU_per_class.png', min_size=(200, 300))
    out = tmp_path / 'chart.png'
    assert plot_class_iou.main([str(old / '20260101_000000.json'), '--out',
                                str(out)]) == 0
    assert 'line 10.00' in capsys.readouterr().out
    assert_png(out)


def test_class_iou_without_metrics_is_a_clear_error(tmp_path, capsys):
    assert plot_class_iou.main([str(tmp_path)]) == 1
    assert 'no test metrics with "IoU.<class>"' in capsys.readouterr().err

"""tools/analysis_tools/calibrate_threshold.py: thresholds written to a new
checkpoint, read back by the inferencer; inputs are never overwritten."""
import os.path as osp

import pytest
from mmengine.runner.checkpoint import CheckpointLoader

from mmdefect.apis import DefectInferencer
from mmdefect.evaluation.thresholds import (f1_optimal_threshold,
                                            quantile_threshold)
from mmdefect.testing import TOY_CONFIG as CONFIG
from mmdefect.testing import data_options, single_thread, toy_checkpoint
from tools.analysis_tools import calibrate_threshold


@pytest.fixture(scope='module', autouse=True)
def _one_thread():
    with single_thread():
        yield


@pytest.fixture(scope='module')
def checkpoint(toy_root, tmp_path_factory):
    return toy_checkpoint(toy_root, tmp_path_factory)


@pytest.fixture(scope='module')
def val_maps(checkpoint, toy_root):
    """Score maps and labels of the val split (the toy test images)."""
    inferencer = DefectInferencer(CONFIG, checkpoint, show_progress=False)
    inferencer.cfg.val_dataloader.dataset.data_root = toy_root
    return list(inferencer.dataset_scores('val'))


def run(checkpoint, toy_root, *extra):
    return calibrate_threshold.main(
        [CONFIG, checkpoint, '--no-progress', *extra, '--cfg-options'] +
        data_options(toy_root))


def test_quantile_mode_writes_a_new_checkpoint(checkpoint, toy_root, val_maps,
                                               tmp_path, capsys):
    out = str(tmp_path / 'q.pth')
    before = osp.getmtime(checkpoint)
    assert run(checkpoint, toy_root, '--q', '0.99', '--out', out) == 0
    normal = [m['score'] for m in val_maps if not (m['labels'] > 0).any()]
    assert normal  # the toy data has defect-free images
    expected = quantile_threshold(normal, q=0.99)
    meta = CheckpointLoader.load_checkpoint(out, map_location='cpu')['meta']
    assert meta['defect_threshold'] == pytest.approx(expected, abs=1e-6)
    assert meta['defect_threshold_mode'] == 'quantile'
    details = meta['defect_threshold_calibration']
    assert details['q'] == 0.99
    assert details['num_normal_images'] == len(normal)
    assert osp.getmtime(checkpoint) == before
    assert 'defect_threshold' not in CheckpointLoader.load_checkpoint(
        checkpoint, map_location='cpu')['meta']
    assert f'written to {out}' in capsys.readouterr().out

    inferencer = DefectInferencer(CONFIG, out, show_progress=False)
    assert inferencer.threshold == pytest.approx(expected, abs=1e-6)
    assert inferencer.threshold_source == 'checkpoint'


def test_f1_mode(checkpoint, toy_root, val_maps, tmp_path):
    out = str(tmp_path / 'f1.pth')
    assert run(checkpoint, toy_root, '--mode', 'f1', '--out', out) == 0
    expected, f1 = f1_optimal_threshold([m['score'] for m in val_maps],
                                        [m['labels'] > 0 for m in val_maps])
    meta = CheckpointLoader.load_checkpoint(out, map_location='cpu')['meta']
    assert meta['defect_threshold'] == pytest.approx(expected, abs=1e-6)
    assert meta['defect_threshold_mode'] == 'f1'
    assert meta['defect_threshold_calibration']['f1'] == pytest.approx(f1)


def test_default_name_and_refusal_to_overwrite(checkpoint, toy_root, tmp_path,
                                               capsys):
    source = tmp_path / 'model.pth'
    source.write_bytes(open(checkpoint, 'rb').read())
    assert run(str(source), toy_root) == 0
    calibrated = tmp_path / 'model_calibrated.pth'
    assert calibrated.is_file()
    content = calibrated.read_bytes()
    assert run(str(source), toy_root) == 1
    assert 'already exists' in capsys.readouterr().err
    assert calibrated.read_bytes() == content
    assert run(str(source), toy_root, '--out', str(source)) == 1
    assert 'is the input checkpoint' in capsys.readouterr().err
    assert source.read_bytes() == open(checkpoint, 'rb').read()


def test_no_defect_free_image_is_a_clear_error(checkpoint, toy_root, tmp_path,
                                               capsys):
    out = tmp_path / 'none.pth'
    # test images 1-3 of the toy set all have defects
    assert run(checkpoint, toy_root, '--out', str(out), '--cfg-options',
               'val_dataloader.dataset.indices=[1,2,3]') == 1
    assert 'no defect-free image' in capsys.readouterr().err
    assert not out.exists()

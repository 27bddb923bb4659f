"""CAT end to end: tools/train.py -> tools/test.py (AnomalyMetric) on
generated self-reference pairs, then the checkpoint in the inferencer."""
import glob
import os.path as osp

import cv2
import numpy as np
import pytest

from mmdefect.testing import data_options, run_tool
from mmdefect.testing.toy_anomaly import make_toy_anomaly_dataset

CONFIG = 'configs/cat/cat_swin-nano_1xb4-20i_toy-64x64.py'
KEYS = ('image_AUROC', 'pixel_AUROC', 'PRO', 'AP_det', 'AP_loc', 'F1_max')


@pytest.fixture(scope='module')
def anomaly_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('cat') / 'toy_anomaly')
    make_toy_anomaly_dataset(root, num_train=8, num_test=6, size=64, seed=0)
    return root


@pytest.fixture(scope='module')
def trained(anomaly_root, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('cat_train') / 'run')
    out = run_tool(['tools/train.py', CONFIG, '--work-dir', work_dir,
                    '--cfg-options', 'train_cfg.max_iters=4',
                    'train_cfg.val_interval=4',
                    'default_hooks.checkpoint.interval=4',
                    'default_hooks.logger.interval=1'] +
                   data_options(anomaly_root))
    return work_dir, out


def test_train_logs_the_contrastive_loss_and_validates(trained):
    work_dir, out = trained
    assert osp.isfile(osp.join(work_dir, 'iter_4.pth'))
    assert 'decode.loss_wcl' in out and 'decode.anomaly_gap' in out
    assert all(key in out for key in KEYS)


def test_test_cli_prints_anomaly_metrics(trained, anomaly_root, tmp_path):
    work_dir, _ = trained
    out = run_tool(['tools/test.py', CONFIG,
                    osp.join(work_dir, 'iter_4.pth'), '--work-dir',
                    str(tmp_path / 'test'), '--cfg-options'] +
                   data_options(anomaly_root))
    for key in KEYS:
        assert f'{key}: ' in out, key
    assert 'image_AUROC: nan' not in out and 'pixel_AUROC: nan' not in out


def test_checkpoint_loads_safely_and_runs_in_the_inferencer(
        trained, anomaly_root):
    from mmdefect.apis import DefectInferencer
    from mmdefect.engine.safe_checkpoint import safe_torch_load
    work_dir, _ = trained
    ckpt = osp.join(work_dir, 'iter_4.pth')
    state = safe_torch_load(ckpt, map_location='cpu')
    assert any(k.startswith('ref_backbone.') for k in state['state_dict'])
    img = sorted(glob.glob(osp.join(anomaly_root, 'img_dir/test/*.png')))[1]
    inferencer = DefectInferencer(CONFIG, ckpt, show_progress=False)
    result, = inferencer((img, img))
    assert result.ok, result.error
    shape = cv2.imread(img).shape[:2]
    assert result.score_map.shape == shape
    assert result.score_map.dtype == np.float32
    assert np.isfinite(result.score_map).all()
    assert result.image_score == pytest.approx(float(result.score_map.max()))
    np.testing.assert_array_equal(result.defect_mask,
                                  result.score_map >= result.threshold)
    assert result.is_defective == (result.image_score >= result.threshold)

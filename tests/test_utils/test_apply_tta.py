"""apply_tta (tools/test.py --tta) keeps the model's own preprocessor
(bug: early fusion crashed, its paired preprocessor replaced by the
SegFormer base's)."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmseg.registry import MODELS

import mmdefect  # noqa: F401  (registers the modules)
from mmdefect.models import DefectTTAModel, PairedSegDataPreProcessor
from mmdefect.testing import REPO_ROOT
from mmdefect.utils import apply_tta

EARLY = 'configs/early_fusion/early-fusion_r18-c32_1xb8-3k_deeppcb-256x256.py'


def _pair(tmp_path):
    rng = np.random.default_rng(0)
    ref = (rng.random((64, 64, 3)) > 0.5).astype(np.uint8) * 255
    img = ref.copy()
    img[10:20, 30:40] = 255 - img[10:20, 30:40]
    label = np.zeros((64, 64), np.uint8)
    label[10:20, 30:40] = 2
    for name, array in (('img', img), ('ref', ref), ('ann', label)):
        cv2.imwrite(str(tmp_path / f'{name}.png'), array)
    return dict(
        img_path=str(tmp_path / 'img.png'),
        ref_path=str(tmp_path / 'ref.png'),
        seg_map_path=str(tmp_path / 'ann.png'),
        reduce_zero_label=False,
        seg_fields=[],
        gt_boxes=[[28, 8, 42, 22, 2]])


def test_tta_runs_early_fusion_with_its_paired_preprocessor(tmp_path):
    cfg = Config.fromfile(osp.join(REPO_ROOT, EARLY))
    # the trap: the top-level preprocessor is the SegFormer base's
    assert cfg.data_preprocessor.type == 'SegDataPreProcessor'
    apply_tta(cfg)
    model_cfg = cfg.model
    # what mmengine's Runner does with a model dict
    model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model = MODELS.build(model_cfg)
    assert isinstance(model, DefectTTAModel)
    assert isinstance(model.module.data_preprocessor,
                      PairedSegDataPreProcessor)
    data = Compose(cfg.tta_pipeline)(_pair(tmp_path))
    assert len(data['inputs']) == 3  # as is, left-right, upside down
    model.eval()
    with torch.no_grad():
        [pred] = model.test_step(pseudo_collate([data]))
    assert pred.seg_logits.data.shape == (7, 64, 64)
    assert pred.pred_sem_seg.data.shape == (1, 64, 64)
    np.testing.assert_allclose(
        pred.seg_logits.data.softmax(0).sum(0).numpy(), 1.0, rtol=1e-5)
    assert pred.gt_boxes == [[28, 8, 42, 22, 2]]


def test_tta_without_a_tta_pipeline_names_the_config(tmp_path):
    path = tmp_path / 'no_tta.py'
    path.write_text("model = dict(type='X')\ntta_model = dict(type='Y')\n")
    cfg = Config.fromfile(str(path))
    with pytest.raises(KeyError, match=r'no_tta.py has no tta_pipeline'):
        apply_tta(cfg)

"""Every shipped config parses, passes the pairing check and builds."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmseg.registry import MODELS

from mmdefect.utils import check_pairing
from tests.conftest import REPO_ROOT

CONFIGS = sorted(
    osp.relpath(path, REPO_ROOT)
    for path in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'),
                          recursive=True) if '_base_' not in path)


def test_configs_are_found():
    assert 'configs/cadnet/cadnet_synlcd.py' in CONFIGS


@pytest.mark.parametrize('config', CONFIGS)
def test_config_builds(config):
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    check_pairing(cfg)
    assert cfg.default_scope == 'mmseg'
    assert 'mmdefect' in cfg.custom_imports['imports']
    model_cfg = cfg.model
    if 'backbone' in model_cfg:
        model_cfg.backbone.init_cfg = None
    if 'SyncBN' in str(model_cfg):
        model_cfg.decode_head.norm_cfg = dict(type='BN', requires_grad=True)
    model = MODELS.build(model_cfg)
    # evaluation-only configs (classical baselines) have no training data
    dataset = (cfg.train_dataloader or cfg.test_dataloader).dataset
    classes = dataset.get('metainfo', {}).get('classes') or \
        _dataset_classes(dataset.type)
    assert model.num_classes == len(classes)


def _dataset_classes(dataset_type):
    from mmseg.registry import DATASETS
    return DATASETS.get(dataset_type).METAINFO['classes']

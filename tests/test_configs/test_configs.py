"""Every shipped config parses, passes the pairing check and builds; every
config the documentation names exists and loads."""
import glob
import os.path as osp
import re

import pytest
import yaml
from mmengine.config import Config
from mmseg.registry import MODELS

from mmdefect.testing import REPO_ROOT
from mmdefect.utils import check_pairing

CONFIGS = sorted(
    osp.relpath(path, REPO_ROOT)
    for path in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'),
                          recursive=True) if '_base_' not in path)


def test_configs_are_found():
    assert 'configs/cadnet/cadnet_mit-b0_1xb8-30ep_synlcd-512x512.py' in \
        CONFIGS


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


DOCS = ['README.md'] + sorted(
    osp.relpath(path, REPO_ROOT)
    for path in glob.glob(osp.join(REPO_ROOT, 'configs', '**', 'README.md'),
                          recursive=True))
METAFILES = sorted(
    osp.relpath(path, REPO_ROOT)
    for path in glob.glob(
        osp.join(REPO_ROOT, 'configs', '**', 'metafile.yml'), recursive=True))
# a file name ending in .py, not a shell variable such as configs/$RUN.py
PY_NAME = re.compile(r'(?<![\w$./*-])([\w./*-]+\.py)\b')


def _resolve(name, doc_dir):
    """Files a documented ``name`` stands for: a path from the repository
    root or the document's folder, a glob, or a bare file name found under
    configs/ or tools/."""
    for base in (REPO_ROOT, osp.join(REPO_ROOT, doc_dir)):
        found = glob.glob(osp.join(base, name))
        if found:
            return found
    if '/' not in name:
        return [
            path for top in ('configs', 'tools') for path in glob.glob(
                osp.join(REPO_ROOT, top, '**', name), recursive=True)
        ]
    return []


def _documented_configs():
    names = []
    for doc in DOCS:
        with open(osp.join(REPO_ROOT, doc)) as f:
            text = f.read()
        names += [(doc, name) for name in PY_NAME.findall(text)]
    for meta in METAFILES:
        with open(osp.join(REPO_ROOT, meta)) as f:
            models = yaml.safe_load(f).get('Models') or []
        names += [(meta, model['Config']) for model in models]
    return names


def test_documentation_names_existing_configs():
    documented = _documented_configs()
    assert ('configs/cadnet/metafile.yml',
            'configs/cadnet/cadnet_mit-b0_1xb8-30ep_synlcd-512x512.py'
            ) in documented
    missing = [(doc, name) for doc, name in documented
               if not _resolve(name, osp.dirname(doc))]
    assert not missing, f'documented files that do not exist: {missing}'


@pytest.mark.parametrize(
    'config',
    sorted({
        osp.relpath(path, REPO_ROOT)
        for doc, name in _documented_configs()
        for path in _resolve(name, osp.dirname(doc))
        if osp.relpath(path, REPO_ROOT).startswith('configs/')
    }))
def test_documented_config_loads(config):
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    assert 'model' in cfg, config

"""The data set base configs of the unsupervised (CAT) data sets build
their loaders' datasets and pipelines on stand-ins of the real layouts."""
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmseg.registry import DATASETS

from mmdefect.testing import REPO_ROOT

BASES = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets')
CASES = [
    ('mtd.py', 'mtd_standin', 256),
    ('mtd_128x128.py', 'mtd_standin', 128),
    ('ksdd2.py', 'ksdd2_standin', 256),
    ('ksdd1.py', 'ksdd1_standin', 256),
    ('rsdd.py', 'rsdd_standin', 256),
    ('synsurface.py', 'synsurface_root', 256),
    ('synsurface_128x128.py', 'synsurface_root', 128),
]


def _build(loader_cfg, root):
    dataset_cfg = loader_cfg.dataset.copy()
    dataset_cfg.data_root = root
    dataset_cfg.serialize_data = False
    return DATASETS.build(dataset_cfg)


@pytest.mark.parametrize('config, fixture, size', CASES)
def test_loaders_build_and_pack(config, fixture, size, request):
    root = request.getfixturevalue(fixture)[0]
    cfg = Config.fromfile(osp.join(BASES, config))
    assert cfg.test_dataloader.dataset.pipeline[2] == dict(
        type='LoadBinaryAnnotations', threshold=127)
    pad = cfg.test_dataloader.dataset.pipeline[3].transforms[1]
    assert pad == dict(
        type='PadIgnoreLabels', size=(size, size), padding_mode='reflect')
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if loader is None:
            assert config == 'rsdd.py' and key == 'train_dataloader'
            continue
        dataset = _build(loader, root)
        sample = dataset[len(dataset) - 1]
        assert tuple(sample['inputs'].shape) == (6, size, size)
        labels = sample['data_samples'].gt_sem_seg.data.numpy()
        assert set(np.unique(labels)) <= {0, 1, 255}
        if key == 'train_dataloader':
            assert dataset.normal_only
            assert 'DropletAug' in [t['type'] for t in loader.dataset.pipeline]
        else:
            assert 'DropletAug' not in str(loader.dataset.pipeline)
            assert 'RandomFlip' not in str(loader.dataset.pipeline)


def test_zero_padding_is_one_override(synsurface_root):
    cfg = Config.fromfile(osp.join(BASES, 'synsurface_128x128.py'))
    key = 'dataset.pipeline.3.transforms.1.padding_mode'
    cfg.merge_from_dict({
        f'{loader}.{key}': 'constant'
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    })
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        pad = cfg[loader].dataset.pipeline[3].transforms[1]
        assert pad.type == 'PadIgnoreLabels'
        assert pad.padding_mode == 'constant'
    dataset = _build(cfg.test_dataloader, synsurface_root[0])
    assert dataset[0]['inputs'].shape[-2:] == (128, 128)

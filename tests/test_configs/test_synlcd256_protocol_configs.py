"""The cross-test (Fig. 6) and label-fraction (Table 6) configs: each
training set, test set, class setting and decoder mode is the one its name
says, and the data set they describe loads (class-agnostic labels)."""
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmseg.registry import DATASETS

from mmdefect.datasets.synthesis import SynLCDGenerator
from mmdefect.testing import REPO_ROOT

PREFIXES = {
    'cadnet/cadnet_mit-b0': ('CADHead', 'supervised'),
    'cadnet/cadnet-semi_mit-b0': ('CADHead', 'semi'),
    'segformer/segformer_mit-b0': ('SegformerHead', None),
    'siamese_diff/siamese-diff_mit-b0': ('SegformerHead', None),
}
CELLS = [(t, s) for t in ('line', 'abpt') for s in ('line', 'abpt')]


def _name(prefix, train, test):
    name = f'{prefix}_1xb8-600i_synlcd256-{train}-128x128'
    return name + ('' if train == test else f'_test-{test}') + '.py'


def _load(name):
    return Config.fromfile(osp.join(REPO_ROOT, 'configs', name))


@pytest.mark.parametrize('prefix', sorted(PREFIXES))
@pytest.mark.parametrize('train, test', CELLS)
def test_cross_config(prefix, train, test):
    cfg = _load(_name(prefix, train, test))
    roots = dict(line='data/synlcd256_line', abpt='data/synlcd256_abpt')
    assert cfg.train_dataloader.dataset.data_root == roots[train]
    assert cfg.val_dataloader.dataset.data_root == roots[train]
    assert cfg.test_dataloader.dataset.data_root == roots[test]
    for loader in ('train', 'val', 'test'):
        dataset = cfg[f'{loader}_dataloader'].dataset
        assert dataset.class_agnostic is True
        assert tuple(dataset.metainfo.classes) == ('background', 'defect')
    head, change_att = PREFIXES[prefix]
    assert cfg.model.decode_head.type == head
    assert cfg.model.decode_head.num_classes == 2
    assert cfg.model.decode_head.get('change_att') == change_att
    # the rarer abpt defects get the larger class weight
    weight = cfg.model.decode_head.loss_decode.class_weight
    assert weight == ([1.0, 50.0] if train == 'abpt' else [1.0, 10.0])
    assert (cfg.train_cfg.max_iters, cfg.train_dataloader.batch_size,
            cfg.crop_size) == (600, 8, (128, 128))
    paired = prefix.split('/')[0] != 'segformer'
    last = cfg.test_dataloader.dataset.pipeline[-1]['type']
    assert last == ('PackPairedSegInputs' if paired else 'PackSegInputs')


@pytest.mark.parametrize('prefix', [
    'cadnet/cadnet_mit-b0', 'cadnet/cadnet-semi_mit-b0',
    'segformer/segformer_mit-b0'
])
def test_label_fraction_config(prefix):
    cfg = _load(f'{prefix}_1xb8-600i_synlcd256-line-subset-128x128.py')
    pre = _load(_name(prefix, 'abpt', 'abpt'))
    dataset = cfg.train_dataloader.dataset
    assert (dataset.data_root, dataset.subset_fraction,
            dataset.subset_seed) == ('data/synlcd256_line', 0.1, 0)
    assert cfg.test_dataloader.dataset.data_root == 'data/synlcd256_line'
    assert cfg.train_cfg.max_iters == pre.train_cfg.max_iters
    assert cfg.load_from is None  # the script passes the pretrained model
    # fine-tuned with the pretrained model's architecture
    assert cfg.model.decode_head.get('change_att') == \
        pre.model.decode_head.get('change_att')
    assert cfg.model.decode_head.num_classes == \
        pre.model.decode_head.num_classes == 2


def test_cross_dataset_loads_with_merged_labels(tmp_path):
    root = tmp_path / 'abpt'
    SynLCDGenerator(
        root, num_train=4, num_test=4, size=32, seed=0,
        defect_mix='abpt').run(progress=False)
    cfg = _load(_name('cadnet/cadnet_mit-b0', 'line', 'abpt'))
    dataset_cfg = cfg.test_dataloader.dataset
    dataset_cfg.data_root = str(root)
    dataset = DATASETS.build(dataset_cfg)
    labels = set()
    for idx in range(len(dataset)):
        labels |= set(
            np.unique(dataset[idx]['data_samples'].gt_sem_seg.data.numpy()))
    # abpt pixels (2 in the files) are read as the one defect class
    assert labels == {0, 1}

"""tools/test.py on bad inputs that used to give silent wrong results or
crash without naming a file (issue 14 items 1, 2, 11), end to end."""
import glob
import os
import os.path as osp
import shutil

import cv2
import pytest
import torch
from mmengine.config import Config
from mmseg.registry import MODELS

from mmdefect.testing import (REPO_ROOT, TOY_CONFIG, data_options, run_tool,
                              toy_checkpoint)


@pytest.fixture(scope='module')
def checkpoint(toy_root, tmp_path_factory):
    return toy_checkpoint(toy_root, tmp_path_factory)


def test_checkpoint_of_another_model_is_refused(checkpoint, toy_root,
                                                tmp_path):
    """Before: mIoU of a partly random model, exit 0, a log warning."""
    out = run_tool(['tools/test.py', TOY_CONFIG, checkpoint, '--work-dir',
                    str(tmp_path / 'w'), '--cfg-options',
                    'model.decode_head.channels=16'] +
                   data_options(toy_root), expect_ok=False)
    assert f'checkpoint {checkpoint} does not match the model' in out
    assert ('decode_head.conv_seg.weight 2x32x1x1 in the checkpoint, '
            '2x16x1x1 in the model') in out
    assert '--allow-mismatched-checkpoint' in out
    assert 'Iter(test)' not in out


def test_missing_weights_are_named_and_the_opt_in_relaxes(
        checkpoint, toy_root, tmp_path):
    ckpt = torch.load(checkpoint, map_location='cpu', weights_only=False)
    ckpt['state_dict'] = {
        k: v for k, v in ckpt['state_dict'].items()
        if not k.startswith('decode_head.')
    }
    partial = str(tmp_path / 'backbone_only.pth')
    torch.save(ckpt, partial)
    args = ['tools/test.py', TOY_CONFIG, partial, '--work-dir',
            str(tmp_path / 'w'), '--cfg-options'] + data_options(toy_root)
    refused = run_tool(args, expect_ok=False)
    assert 'model weights are missing from it (decode_head.' in refused
    relaxed = run_tool(args[:3] + ['--allow-mismatched-checkpoint'] +
                       args[3:])
    assert 'does not match the model' in relaxed
    assert 'Loading it anyway' in relaxed and 'mIoU: ' in relaxed


def copy_with_small_label(toy_root, tmp_path, split, names):
    root = str(tmp_path / 'toy')
    shutil.copytree(toy_root, root)
    for name in names:
        label_path = osp.join(root, 'ann_dir', split, name)
        label = cv2.imread(label_path, cv2.IMREAD_GRAYSCALE)
        cv2.imwrite(label_path, cv2.resize(label, (32, 32),
                                           interpolation=cv2.INTER_NEAREST))
    return root


def test_label_of_another_size_is_named_at_test_time(checkpoint, toy_root,
                                                     tmp_path):
    """Before: IndexError in mmseg's metric, no file named."""
    root = copy_with_small_label(toy_root, tmp_path, 'test', ['0001.png'])
    out = run_tool(['tools/test.py', TOY_CONFIG, checkpoint, '--work-dir',
                    str(tmp_path / 'w'), '--cfg-options'] +
                   data_options(root), expect_ok=False)
    label = osp.join(root, 'ann_dir', 'test', '0001.png')
    image = osp.join(root, 'img_dir', 'test', '0001.png')
    assert (f'label {label} is 32x32 (WxH) but its image {image} is 64x64'
            in out)
    assert 'label_size_policy="resize" in PackPairedSegInputs' in out
    assert 'IndexError' not in out


def family_configs():
    """One config per shipped family folder (CPU-sized where there is
    one), found by folder so renamed configs are still covered."""
    found = {}
    for folder in sorted(glob.glob(osp.join(REPO_ROOT, 'configs', '*'))):
        family = osp.basename(folder)
        if family.startswith('_') or family == 'examples':
            continue
        configs = sorted(glob.glob(osp.join(folder, '*.py')))
        small = [c for c in configs if 'cpu' in c or 'toy' in c]
        if configs:
            found[family] = (small or configs)[0]
    return found


FAMILIES = family_configs()


def tiny_test_config(config, toy_root, folder):
    """``config`` evaluated on the toy test pairs at 64x64 with a
    list-valued ``test_evaluator``, and a checkpoint of its model."""
    cfg = Config.fromfile(config)
    dataset = cfg.test_dataloader.dataset
    pipeline = [
        step for step in dataset.pipeline
        if step['type'] not in ('Resize', 'RandomResize')
    ]
    for step in pipeline:
        if step['type'] == 'LoadBinaryAnnotations':
            step['threshold'] = 0  # the toy labels are 0/1
    toy = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', '_base_', 'datasets', 'toy_pairs.py'))
    toy.test_dataloader.dataset.update(data_root=toy_root, pipeline=pipeline)
    cfg.test_dataloader = toy.test_dataloader
    evaluators = cfg.test_evaluator
    if isinstance(evaluators, dict):
        evaluators = [evaluators]
    # metrics that need data-set annotations beyond the label maps (boxes)
    evaluators = [
        e for e in evaluators if e['type'] != 'DeepPCBDetectionMetric'
    ]
    types = [e['type'] for e in evaluators]
    if 'DefectIoUMetric' not in types:
        evaluators.append(dict(type='DefectIoUMetric', iou_metrics=['mIoU']))
    if 'AnomalyMetric' not in types:
        evaluators.append(dict(type='AnomalyMetric', score_key='seg_logits'))
    cfg.test_evaluator = evaluators
    for loader in ('train_dataloader', 'val_dataloader'):
        cfg[loader] = None
    cfg.val_cfg = cfg.val_evaluator = cfg.train_cfg = None
    cfg.optim_wrapper = cfg.param_scheduler = None
    model_cfg = cfg.model
    if 'backbone' in model_cfg:
        model_cfg.backbone.init_cfg = None
    if 'SyncBN' in str(model_cfg):
        cfg.model = Config(
            eval(str(model_cfg.to_dict()).replace("'SyncBN'", "'BN'")))
    path = str(folder / 'tiny.py')
    cfg.dump(path)
    model = MODELS.build(cfg.model)
    checkpoint = None
    if sum(p.numel() for p in model.parameters()):
        checkpoint = str(folder / 'weights.pth')
        torch.save({'state_dict': model.state_dict(), 'meta': {}},
                   checkpoint)
    return path, checkpoint


@pytest.mark.parametrize('family', sorted(FAMILIES))
def test_out_writes_predictions_with_a_list_of_evaluators(
        family, toy_root, tmp_path):
    """Before: TypeError: list indices must be integers or slices, not
    str, on the project's own configs."""
    config, checkpoint = tiny_test_config(FAMILIES[family], toy_root,
                                          tmp_path)
    out_dir = tmp_path / 'preds'
    args = ['tools/test.py', config] + ([checkpoint] if checkpoint else [])
    out = run_tool(args + ['--work-dir', str(tmp_path / 'w'), '--out',
                           str(out_dir)])
    assert 'TypeError' not in out
    written = sorted(os.listdir(out_dir))
    assert written == ['0000.png', '0001.png', '0002.png', '0003.png']
    pred = cv2.imread(str(out_dir / '0001.png'), cv2.IMREAD_UNCHANGED)
    assert pred.ndim == 2 and set(pred.flat) <= set(range(7))
    if family != 'cat':  # CAT's label map stays at its input size
        assert pred.shape == (64, 64)


def test_every_family_is_covered():
    assert {'cadnet', 'classical', 'segformer', 'siamese_diff'} <= set(
        FAMILIES)

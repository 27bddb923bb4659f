"""DeepPCB through the standard tools on real pairs: labels, a short CADNet
training, tools/test.py (with and without a checkpoint) and the benchmark."""
import glob
import json
import os.path as osp

import pytest

from mmdefect.testing import DEEPPCB_PCBDATA as PCBDATA
from mmdefect.testing import DEEPPCB_ROOT, HAS_DEEPPCB, REPO_ROOT
from mmdefect.testing import run_tool as run

CADNET = 'configs/cadnet/cadnet_mit-b0_1xb4-1k_deeppcb-256x256.py'
CLASSICAL = 'configs/classical/classical-diff_deeppcb-640x640.py'

pytestmark = pytest.mark.skipif(
    not HAS_DEEPPCB, reason=f'DeepPCB copy not found at {DEEPPCB_ROOT}')


def first_lines(split, num, path):
    with open(osp.join(PCBDATA, f'{split}.txt')) as f:
        lines = [line for line in f if line.strip()][:num]
    path.write_text(''.join(lines))
    return str(path)


@pytest.fixture(scope='module')
def deeppcb10(tmp_path_factory):
    root = tmp_path_factory.mktemp('deeppcb')
    run(['tools/dataset_converters/deeppcb.py', DEEPPCB_ROOT,
         str(root / 'labels'), '--workers', '2'])
    train = first_lines('trainval', 10, root / 'train10.txt')
    test = first_lines('test', 3, root / 'test3.txt')
    labels = str(root / 'labels' / 'ann_dir')
    options = []
    for loader, ann in (('train_dataloader', train), ('test_dataloader',
                                                      test)):
        options += [f'{loader}.dataset.data_root={PCBDATA}',
                    f'{loader}.dataset.ann_file={ann}',
                    f'{loader}.dataset.data_prefix.seg_map_path={labels}']
    return root, labels, options


@pytest.fixture(scope='module')
def cadnet_checkpoint(deeppcb10):
    root, _, options = deeppcb10
    work_dir = str(root / 'cadnet')
    run(['tools/train.py', CADNET, '--work-dir', work_dir, '--cfg-options',
         'train_cfg.max_iters=2', 'default_hooks.checkpoint.interval=2',
         'train_dataloader.batch_size=2', 'default_hooks.logger.interval=1']
        + options)
    return osp.join(work_dir, 'iter_2.pth')


def metrics_of(work_dir):
    files = glob.glob(osp.join(work_dir, '*', '*.json'))
    assert len(files) == 1, files
    with open(files[0]) as f:
        return json.load(f)


def test_cadnet_trains_and_tests_with_both_metrics(deeppcb10,
                                                   cadnet_checkpoint):
    root, _, options = deeppcb10
    work_dir = str(root / 'cadnet_test')
    out = run(['tools/test.py', CADNET, cadnet_checkpoint, '--work-dir',
               work_dir, '--cfg-options'] + options)
    assert 'DeepPCB protocol (IoU > 0.33)' in out
    assert 'ground-truth boxes by outcome' in out
    metrics = metrics_of(work_dir)
    for key in ('mIoU', 'mIoU_defect', 'DeepPCB/mAP', 'DeepPCB/AP',
                'DeepPCB/Fscore', 'DeepPCB/precision', 'DeepPCB/recall'):
        assert key in metrics, key
    assert 0.0 <= metrics['DeepPCB/recall'] <= 100.0


def test_learned_model_without_checkpoint_is_refused(deeppcb10):
    root, _, options = deeppcb10
    out = run(['tools/test.py', CADNET, '--work-dir', str(root / 'refused'),
               '--cfg-options'] + options, expect_ok=False)
    assert 'a checkpoint is required' in out
    assert CADNET in out


def test_classical_baseline_runs_without_checkpoint(deeppcb10):
    root, _, options = deeppcb10
    work_dir = str(root / 'classical')
    run(['tools/test.py', CLASSICAL, '--work-dir', work_dir, '--cfg-options']
        + [opt for opt in options if opt.startswith('test_dataloader')])
    metrics = metrics_of(work_dir)
    # the difference of real test/template pairs finds most defects
    assert metrics['DeepPCB/recall'] > 50.0


def test_benchmark_table(deeppcb10, cadnet_checkpoint):
    root, labels, _ = deeppcb10
    out_dir = root / 'bench'
    # a data root relative to the working directory, as users type it
    out = run(['tools/benchmarks/deeppcb.py', '--data-root',
               osp.relpath(PCBDATA, REPO_ROOT),
               '--label-root', labels, '--num-pairs', '2',
               '--out', str(out_dir),
               '--run', 'classical', CLASSICAL, 'none',
               '--run', 'CADNet', CADNET, cadnet_checkpoint])
    table = (out_dir / 'results.md').read_text()
    assert table.splitlines()[0].startswith('| model | params | mAP |')
    assert '| classical | 0.000 M |' in table
    assert '| CADNet |' in table and 'Command: `python ' in table
    with open(out_dir / 'results.json') as f:
        runs = json.load(f)['runs']
    assert [r['images'] for r in runs] == [2, 2]
    assert runs[1]['params'] > 1e6
    assert 'DeepPCB protocol' in out
    second = run(['tools/benchmarks/deeppcb.py', '--data-root', PCBDATA,
                  '--label-root', labels, '--out', str(out_dir), '--run',
                  'classical', CLASSICAL, 'none'], expect_ok=False)
    assert 'results.md exists' in second


def test_benchmark_with_test_time_augmentation(deeppcb10, cadnet_checkpoint):
    root, labels, _ = deeppcb10
    out_dir = root / 'bench_tta'
    run(['tools/benchmarks/deeppcb.py', '--data-root', PCBDATA,
         '--label-root', labels, '--num-pairs', '2', '--out', str(out_dir),
         '--tta', '--run', 'CADNet', CADNET, cadnet_checkpoint])
    table = (out_dir / 'results.md').read_text()
    assert '| CADNet |' in table
    assert '2 pairs of 640x640, test-time augmentation' in table
    with open(out_dir / 'results.json') as f:
        [result] = json.load(f)['runs']
    assert result['images'] == 2
    assert 0.0 <= result['metrics']['DeepPCB/recall'] <= 100.0

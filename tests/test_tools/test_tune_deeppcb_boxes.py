"""tools/analysis_tools/tune_deeppcb_boxes.py on real DeepPCB pairs: the
grid it reports, its best row against the metric, no overwriting."""
import json
import os.path as osp

import pytest

from mmdefect.testing import DEEPPCB_PCBDATA as PCBDATA
from mmdefect.testing import DEEPPCB_ROOT, HAS_DEEPPCB, REPO_ROOT
from mmdefect.testing import run_tool as run

CLASSICAL = 'configs/classical/classical-diff_deeppcb-640x640.py'

pytestmark = pytest.mark.skipif(
    not HAS_DEEPPCB, reason=f'DeepPCB copy not found at {DEEPPCB_ROOT}')


def test_grid_best_row_equals_the_metric_and_no_overwrite(tmp_path):
    labels = tmp_path / 'labels'
    run(['tools/dataset_converters/deeppcb.py', DEEPPCB_ROOT, str(labels),
         '--workers', '2'])
    out = tmp_path / 'search'
    args = ['tools/analysis_tools/tune_deeppcb_boxes.py', CLASSICAL, 'none',
            '--data-root', PCBDATA, '--label-root',
            str(labels / 'ann_dir'), '--num-pairs', '3', '--out', str(out),
            '--score-thrs', 'none', '0.5', '--merge-radii', '0', '4',
            '--min-areas', '1', '--margins', '0', '10']
    stdout = run(args)
    with open(out / 'box_search.json') as f:
        result = json.load(f)
    assert result['pairs'] == 3 and result['split'] == 'trainval'
    assert len(result['rows']) == 2 * 2 * 1 * 2
    best = result['rows'][0]
    assert best['mAP'] == max(r['mAP'] for r in result['rows'])
    assert result['best_cfg_options'] in stdout
    # the protocol's boxes need the 10 px margin: margin 0 scores lower
    zero = [r for r in result['rows'] if r['box_margin'] == 0]
    assert max(r['hmean'] for r in zero) < best['hmean']
    # the printed options, given to the metric, give the best row's mAP
    from mmdefect.evaluation import DeepPCBDetectionMetric
    from mmdefect.evaluation.model_evaluation import evaluate_split
    from mmdefect.utils import load_run_config
    cfg = load_run_config(osp.join(REPO_ROOT, CLASSICAL))
    cfg.test_dataloader.dataset.update(
        data_root=PCBDATA, ann_file=str(out / 'trainval_3pairs.txt'),
        data_prefix=dict(img_path='', seg_map_path=str(labels / 'ann_dir')))
    cfg.test_dataloader.update(num_workers=0, persistent_workers=False)
    metric = DeepPCBDetectionMetric(
        score_thr=best['score_thr'], merge_radius=best['merge_radius'],
        min_area=best['min_area'], box_margin=best['box_margin'])
    got = evaluate_split(cfg, None, metric, split='test',
                         show_progress=False)
    assert got['DeepPCB/mAP'] == pytest.approx(best['mAP'], abs=0.006)
    assert got['DeepPCB/Fscore'] == pytest.approx(best['hmean'], abs=0.006)
    # a second run never replaces the results
    before = (out / 'box_search.md').read_text()
    message = run(args, expect_ok=False)
    assert 'box_search.md exists; choose another --out' in message
    assert (out / 'box_search.md').read_text() == before

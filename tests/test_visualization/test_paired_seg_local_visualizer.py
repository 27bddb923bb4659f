import cv2
import numpy as np
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmdefect.evaluation.functional.scores import score_map
from mmdefect.visualization import PairedSegLocalVisualizer


def make_sample(tmp_path, h=16, w=20):
    ref = np.zeros((h, w, 3), np.uint8)
    ref[..., 2] = 200  # BGR red on disk
    ref_path = str(tmp_path / 'ref.png')
    cv2.imwrite(ref_path, ref)
    sample = SegDataSample()
    sample.set_metainfo(dict(ref_path=ref_path))
    seg = torch.zeros(1, h, w, dtype=torch.long)
    seg[:, 4:8, 5:9] = 1
    sample.gt_sem_seg = PixelData(data=seg)
    sample.pred_sem_seg = PixelData(data=seg.clone())
    logits = torch.zeros(2, h, w)
    logits[1, 4:8, 5:9] = 10.0
    sample.seg_logits = PixelData(data=logits)
    return sample


def test_panels_inspected_reference_gt_pred_heatmap(tmp_path):
    vis = PairedSegLocalVisualizer(save_dir=str(tmp_path / 'vis'),
                                   name='paired_vis_test')
    vis.dataset_meta = dict(classes=('background', 'defect'),
                            palette=[[0, 0, 0], [0, 255, 0]])
    image = np.full((16, 20, 3), 50, np.uint8)
    out_file = str(tmp_path / 'panel.png')
    vis.add_datasample('x', image, make_sample(tmp_path), out_file=out_file,
                       with_labels=False)
    drawn = cv2.imread(out_file)[..., ::-1]
    assert drawn.shape == (16, 5 * 20 + 4 * 4, 3)
    assert (drawn[:, :20] == 50).all()                 # inspected
    assert (drawn[:, 24:44] == [200, 0, 0]).all()      # reference, RGB
    gt_panel = drawn[:, 48:68]
    assert (gt_panel[5, 6] != gt_panel[0, 0]).any()
    assert gt_panel[5, 6, 1] > gt_panel[0, 0, 1]      # green defect class
    heat = drawn[:, 96:116].astype(int)
    assert heat[5, 6, 0] > heat[0, 0, 0]               # hot defect, cold bg


def test_defect_score_is_the_score_layer(tmp_path):
    sample = make_sample(tmp_path)
    from_logits = PairedSegLocalVisualizer.defect_score(sample)
    np.testing.assert_array_equal(from_logits,
                                  score_map(sample, 'seg_logits'))
    assert from_logits.dtype == np.float32 and from_logits.shape == (16, 20)
    sample.anomaly_map = PixelData(data=torch.full((1, 16, 20), 0.25))
    score = PairedSegLocalVisualizer.defect_score(sample)
    assert score.dtype == np.float32 and (score == 0.25).all()
    assert PairedSegLocalVisualizer.defect_score(SegDataSample()) is None


def test_reference_from_memory_and_get_image(tmp_path):
    vis = PairedSegLocalVisualizer(name='paired_vis_ref_image_test')
    vis.dataset_meta = dict(classes=('background', 'defect'),
                            palette=[[0, 0, 0], [0, 255, 0]])
    sample = make_sample(tmp_path)
    sample.set_metainfo(dict(ref_path=None))
    image = np.full((16, 20, 3), 50, np.uint8)
    ref = np.zeros((8, 10, 3), np.uint8)
    ref[..., 1] = 120
    out_file = str(tmp_path / 'panel.png')
    vis.add_datasample('x', image, sample, out_file=out_file,
                       with_labels=False, ref_image=ref)
    drawn = vis.get_image()
    assert drawn.shape == (16, 5 * 20 + 4 * 4, 3)
    assert (drawn[:, 24:44] == [0, 120, 0]).all()      # resized, as given
    np.testing.assert_array_equal(cv2.imread(out_file)[..., ::-1], drawn)

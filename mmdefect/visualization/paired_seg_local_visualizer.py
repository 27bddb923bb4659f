"""Side-by-side panels for paired defect segmentation results."""
from typing import List, Optional

import cv2
import mmcv
import numpy as np
from mmengine import fileio
from mmseg.registry import VISUALIZERS
from mmseg.structures import SegDataSample
from mmseg.visualization import SegLocalVisualizer

from mmdefect.evaluation.functional.scores import score_map


@VISUALIZERS.register_module()
class PairedSegLocalVisualizer(SegLocalVisualizer):
    """Draw ``inspected | reference | ground truth | prediction [| heat map]``.

    A drop-in for mmseg's ``SegLocalVisualizer`` (same constructor, same
    ``add_datasample`` signature), so ``SegVisualizationHook`` and
    ``tools/test.py --show-dir`` use it unchanged.  The reference is read
    from the data sample's ``ref_path``, or given as ``ref_image`` (RGB) to
    :meth:`add_datasample` when it exists only in memory.  The heat map
    shows the per-pixel defect score of the one score layer
    (:meth:`defect_score`): ``anomaly_map`` when the model provides one,
    otherwise the defect probability ``1 - p(background)`` of
    ``seg_logits``.

    Args:
        draw_heatmap (bool): append the defect-score panel when a score is
            available. Defaults to True.
        Other arguments: see :class:`mmseg.visualization.SegLocalVisualizer`.
    """

    def __init__(self,
                 name: str = 'visualizer',
                 draw_heatmap: bool = True,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.draw_heatmap = draw_heatmap

    @staticmethod
    def _read_rgb(path: str, shape) -> np.ndarray:
        img = mmcv.imfrombytes(fileio.get(path), channel_order='rgb')
        if img.shape[:2] != tuple(shape[:2]):
            img = mmcv.imresize(img, (shape[1], shape[0]))
        return img

    @staticmethod
    def defect_score(data_sample: SegDataSample) -> Optional[np.ndarray]:
        """The ``(H, W)`` float32 defect-score map, or ``None``.

        :func:`~mmdefect.evaluation.functional.scores.score_map` with
        ``source='auto'``: ``anomaly_map`` when present, else the defect
        probability of ``seg_logits``; ``None`` if the sample has neither.
        """
        if 'anomaly_map' not in data_sample and \
                'seg_logits' not in data_sample:
            return None
        return score_map(data_sample, 'auto')

    def _heatmap(self, image: np.ndarray, score: np.ndarray) -> np.ndarray:
        lo, hi = float(score.min()), float(score.max())
        if not 0.0 <= lo <= hi <= 1.0:
            score = (score - lo) / max(hi - lo, 1e-12)
        gray = np.clip(score * 255, 0, 255).astype(np.uint8)
        if gray.shape != image.shape[:2]:
            gray = cv2.resize(gray, (image.shape[1], image.shape[0]))
        colour = cv2.applyColorMap(gray, cv2.COLORMAP_JET)[..., ::-1]
        return (0.5 * image + 0.5 * colour).astype(np.uint8)

    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample: Optional[SegDataSample] = None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       step: int = 0,
                       with_labels: Optional[bool] = True,
                       with_image: Optional[bool] = True,
                       ref_image: Optional[np.ndarray] = None) -> None:
        """Draw the panels and save them to the backends or ``out_file``.

        ``ref_image`` (RGB), when given, is drawn as the reference panel
        instead of the file named by the data sample's ``ref_path``.
        """
        panels: List[np.ndarray] = [image]
        classes = self.dataset_meta.get('classes')
        palette = self.dataset_meta.get('palette')
        if data_sample is not None:
            if ref_image is not None:
                if ref_image.shape[:2] != image.shape[:2]:
                    ref_image = mmcv.imresize(
                        ref_image, (image.shape[1], image.shape[0]))
                panels.append(ref_image)
            elif data_sample.get('ref_path') is not None:
                panels.append(self._read_rgb(data_sample.ref_path,
                                             image.shape))
            if draw_gt and 'gt_sem_seg' in data_sample:
                panels.append(
                    self._draw_sem_seg(image.copy(), data_sample.gt_sem_seg,
                                       classes, palette, with_labels))
            if draw_pred and 'pred_sem_seg' in data_sample:
                panels.append(
                    self._draw_sem_seg(image.copy(), data_sample.pred_sem_seg,
                                       classes, palette, with_labels))
            score = self.defect_score(data_sample)
            if self.draw_heatmap and draw_pred and score is not None:
                panels.append(self._heatmap(image, score))
        gap = np.full((image.shape[0], 4, 3), 255, np.uint8)
        drawn = panels[0]
        for panel in panels[1:]:
            drawn = np.concatenate([drawn, gap, panel], axis=1)
        self.set_image(drawn)
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            mmcv.imwrite(mmcv.rgb2bgr(drawn), out_file)
        else:
            self.add_image(name, drawn, step)

"""DeepPCB's box-level protocol for segmentation models."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmseg.registry import METRICS

from mmdefect.datasets.functional.deeppcb import DEEPPCB_SUBMISSION_NAMES

from ..functional.deeppcb_protocol import (IOU_THRESHOLD, MISS_REASONS,
                                           as_box_array, deeppcb_evaluate,
                                           masks_to_boxes, miss_reasons,
                                           thresholded_labels)


@METRICS.register_module()
class DeepPCBDetectionMetric(BaseMetric):
    """Box-level AP, precision, recall and F-score as DeepPCB scores them.

    Each predicted label map becomes boxes (groups of nearby defect pixels,
    class by majority, confidence = mean softmax probability of that class,
    box widened by ``box_margin``; see
    :func:`mmdefect.evaluation.functional.masks_to_boxes`), which are scored
    against the ground-truth boxes with DeepPCB's protocol: a detection is
    correct when its IoU with a ground-truth box exceeds 0.33 and the
    classes agree (:func:`~mmdefect.evaluation.functional.deeppcb_evaluate`
    explains the matching, which follows the authors' script exactly).

    Ground-truth boxes come from each sample's metainfo ``gt_boxes``, an
    (M, 5) array ``x1, y1, x2, y2, class`` in original-image pixels
    (:class:`~mmdefect.datasets.DeepPCBDataset` provides it).

    Returned, in percent and prefixed ``DeepPCB/`` (so that the per-class
    keys do not collide with the pixel metrics'): ``mAP`` (mean of the
    per-class APs), ``AP``,
    ``precision``, ``recall`` and ``Fscore`` (the official script's single
    numbers; its F-score is called hmean there), and ``AP.<class>``,
    ``Fscore.<class>`` per class.  The F-score depends on which boxes are
    emitted: all components of the argmax label map, i.e. the model's own
    decision, are emitted, or with ``score_thr`` those of the pixels whose
    defect probability reaches it
    (:func:`~mmdefect.evaluation.functional.thresholded_labels`).
    ``tools/analysis_tools/tune_deeppcb_boxes.py`` chooses ``score_thr``,
    ``box_margin``, ``merge_radius`` and ``min_area`` on training pairs.

    Args:
        box_margin (int): pixels added to each side of a component's tight
            box (DeepPCB's boxes leave about 10 px around a defect).
            Defaults to 10.
        merge_radius (int): defect fragments closer than about twice this
            many pixels form one box (DeepPCB's defects often differ from
            the template in several fragments). Defaults to 4.
        min_area (int): smaller groups are not reported. Defaults to 1.
        iou_thr (float): IoU a correct detection must exceed.
            Defaults to 0.33.
        score_thr (float, optional): defect threshold on ``1 -
            p(background)`` replacing the argmax; needs ``seg_logits``.
            Defaults to None (the argmax label map).
        out_dir (str, optional): if given, one ``<image id>.txt`` per image
            in the authors' submission format (``x1,y1,x2,y2,confidence,
            type``) is written there, so that the official script can score
            the same detections.  An existing non-empty folder is refused
            and no file is ever overwritten, so set it for one evaluation
            (``test_evaluator``), not for validation during training.
        collect_device, prefix: see :class:`mmengine.evaluator.BaseMetric`.
    """

    default_prefix: Optional[str] = 'DeepPCB'

    def __init__(self,
                 box_margin: int = 10,
                 merge_radius: int = 4,
                 min_area: int = 1,
                 iou_thr: float = IOU_THRESHOLD,
                 score_thr: Optional[float] = None,
                 out_dir: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 **kwargs):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.box_margin = box_margin
        self.merge_radius = merge_radius
        self.min_area = min_area
        self.iou_thr = iou_thr
        if score_thr is not None and not 0.0 <= float(score_thr) <= 1.0:
            raise ValueError(f'DeepPCBDetectionMetric: score_thr must be in '
                             f'[0, 1] or None, got {score_thr}')
        self.score_thr = score_thr
        self.out_dir = out_dir
        if out_dir is not None and osp.isdir(out_dir) and os.listdir(out_dir):
            raise FileExistsError(
                f'DeepPCBDetectionMetric: out_dir {out_dir} is not empty; '
                f'choose a new folder (existing files are not overwritten)')

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Turn each prediction into boxes and keep them with the GT boxes."""
        for sample in data_samples:
            if 'gt_boxes' not in sample:
                raise KeyError(
                    'DeepPCBDetectionMetric needs "gt_boxes" in the metainfo '
                    f'of each sample; {sample.get("img_path")!r} has none '
                    '(use DeepPCBDataset, or add gt_boxes to the data info '
                    'and to PackPairedSegInputs.meta_keys)')
            label_map = sample['pred_sem_seg']['data'][0].cpu().numpy()
            probs = None
            if 'seg_logits' in sample:
                logits = sample['seg_logits']['data'].float().cpu()
                probs = torch.softmax(logits, dim=0).numpy()
                if self.score_thr is not None:
                    label_map = thresholded_labels(logits, self.score_thr)
            elif self.score_thr is not None:
                raise KeyError(
                    f'DeepPCBDetectionMetric(score_thr={self.score_thr}) '
                    f'needs the "seg_logits" of each sample; '
                    f'{sample.get("img_path")!r} has none')
            dets = masks_to_boxes(label_map, probs, self.box_margin,
                                  self.merge_radius, self.min_area)
            gt = as_box_array(
                sample['gt_boxes'], 5, 'DeepPCBDetectionMetric: gt_boxes '
                f'(x1, y1, x2, y2, class) of {sample.get("img_path")!r}', 'M')
            if self.out_dir is not None:
                self._write_submission(sample.get('img_path'), dets)
            self.results.append((gt, dets))

    def _write_submission(self, img_path: Optional[str],
                          dets: np.ndarray) -> None:
        if not img_path:
            raise KeyError('DeepPCBDetectionMetric: out_dir needs the '
                           '"img_path" of each sample to name its file')
        os.makedirs(self.out_dir, exist_ok=True)
        name = osp.basename(img_path).split('_')[0].split('.')[0]
        lines = [
            f'{int(x1)},{int(y1)},{int(x2)},{int(y2)},{score:.6f},'
            f'{DEEPPCB_SUBMISSION_NAMES[int(cls)]}'
            for x1, y1, x2, y2, score, cls in dets
        ]
        path = osp.join(self.out_dir, f'{name}.txt')
        try:
            with open(path, 'x') as f:
                f.write(''.join(line + '\n' for line in lines))
        except FileExistsError:
            raise FileExistsError(
                f'DeepPCBDetectionMetric: {path} exists (a second '
                f'evaluation, or two images with the id {name}); it is not '
                f'overwritten') from None

    def _miss_table(self, gts, dets, classes) -> str:
        """Ground-truth boxes per class and reason (:func:`miss_reasons`)."""
        counts = {}
        for gt, det in zip(gts, dets):
            for cls, reason in zip(gt[:, 4].astype(int),
                                   miss_reasons(gt, det, self.iou_thr)):
                counts.setdefault(cls, np.zeros(len(MISS_REASONS), int))
                counts[cls][reason] += 1
        lines = ['ground-truth boxes by outcome (a diagnosis: "found" = a '
                 'box of its class with IoU > '
                 f'{self.iou_thr}): ' + ' / '.join(MISS_REASONS)]
        for cls in sorted(counts):
            name = classes[cls] if classes and cls < len(classes) else cls
            lines.append(f'{name:>16} ' +
                         ' / '.join(str(n) for n in counts[cls]))
        return '\n'.join(lines)

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        """Score all boxes; per-class values are logged as a table."""
        gts = [gt for gt, _ in results]
        dets = [det for _, det in results]
        classes = self.dataset_meta.get('classes') if self.dataset_meta \
            else None
        raw = deeppcb_evaluate(gts, dets, classes, self.iou_thr)
        metrics = {
            'mAP': raw['mAP'],
            'AP': raw['AP'],
            'precision': raw['precision'],
            'recall': raw['recall'],
            'Fscore': raw['hmean'],
        }
        rows = []
        for key, value in raw.items():
            if key.startswith('AP.'):
                name = key[len('AP.'):]
                metrics[f'AP.{name}'] = value
                metrics[f'Fscore.{name}'] = raw[f'hmean.{name}']
                rows.append(f'{name:>16} AP {value * 100:6.2f}  P '
                            f'{raw[f"precision.{name}"] * 100:6.2f}  R '
                            f'{raw[f"recall.{name}"] * 100:6.2f}  F '
                            f'{raw[f"hmean.{name}"] * 100:6.2f}')
        MMLogger.get_current_instance().info(
            f'DeepPCB protocol (IoU > {self.iou_thr}): {raw["num_gt"]} '
            f'ground-truth boxes, {raw["num_det"]} detections\n' +
            '\n'.join(rows) + '\n' + self._miss_table(gts, dets, classes))
        return {key: round(float(value) * 100, 2)
                for key, value in metrics.items()}

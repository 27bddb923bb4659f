"""mmseg's IoUMetric plus per-class values and defect-only means."""
from typing import Dict

import numpy as np
from mmseg.evaluation import IoUMetric
from mmseg.registry import METRICS


@METRICS.register_module()
class DefectIoUMetric(IoUMetric):
    """``IoUMetric`` that also returns per-class scores and defect-only means.

    mmseg's ``IoUMetric`` averages over all classes, background included,
    and only logs the per-class table.  Defect papers usually average over
    the defect classes only: the CADNet paper's SynLCD mIoU of 83.78 is
    (94.02 + 73.53) / 2 over line and abpt.  Besides mmseg's keys (``aAcc``,
    ``mIoU``, ``mAcc``, ``mFscore``, ...) this metric returns, in percent:

    - ``IoU.<class>``, ``Acc.<class>``, ``Fscore.<class>``, ... for every
      class, as in the logged table;
    - ``mIoU_defect``, ``mAcc_defect``, ``mFscore_defect``, ...: the means
      over all classes except ``background_index``.

    The per-class computation is mmseg's own (``total_area_to_metrics``);
    only the reduction differs.

    Args:
        background_index (int): class left out of the defect-only means.
            Defaults to 0.
        Other arguments: see :class:`mmseg.evaluation.IoUMetric`.
    """

    def __init__(self, background_index: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.background_index = background_index

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """mmseg's metrics plus per-class and defect-only values."""
        metrics = super().compute_metrics(results)
        if self.format_only:
            return metrics
        areas = [sum(part) for part in zip(*results)]
        per_class = self.total_area_to_metrics(*areas, self.metrics,
                                               self.nan_to_num, self.beta)
        per_class.pop('aAcc', None)
        names = self.dataset_meta['classes']
        for key, values in per_class.items():
            values = np.asarray(values, dtype=np.float64)
            for name, value in zip(names, values):
                metrics[f'{key}.{name}'] = round(float(value) * 100, 2)
            defect = np.delete(values, self.background_index)
            metrics[f'm{key}_defect'] = round(
                float(np.nanmean(defect)) * 100, 2)
        return metrics

from typing import List

import torch
from mmengine.structures import PixelData
from mmseg.models import SegTTAModel
from mmseg.registry import MODELS
from mmseg.utils import SampleList


@MODELS.register_module()
class DefectTTAModel(SegTTAModel):
    """MMSeg's ``SegTTAModel`` that also keeps the merged scores.

    ``SegTTAModel.merge_preds`` averages the views' probabilities into
    ``pred_sem_seg`` but hands back the *last* view's ``seg_logits``, so
    whatever reads the logits after a ``tools/test.py --tta`` run (the score
    layer's defect probability, anomaly metrics, ``DeepPCBDetectionMetric``'s
    box confidences and ``score_thr``) saw one flipped view instead of the
    merged prediction.  Here ``seg_logits`` becomes logits *of the mean
    probability* ``p_bar`` (``log p_bar`` for a softmax head, ``logit(p_bar)``
    for a one-channel sigmoid head), so ``softmax``/``sigmoid`` of the kept
    logits gives back exactly ``p_bar``, and ``pred_sem_seg`` is the argmax
    (or threshold) of ``p_bar`` as in MMSeg.  The views come back already
    flipped back by the segmentor's ``postprocess_result``.
    """

    def merge_preds(self, data_samples_list: List[SampleList]) -> SampleList:
        one_channel = self.module.out_channels == 1
        predictions = []
        for data_samples in data_samples_list:
            logits = torch.stack(
                [sample.seg_logits.data for sample in data_samples])
            if one_channel:
                probs = logits.sigmoid().mean(dim=0)
                merged_logits = torch.logit(probs, eps=1e-7)
                pred = (probs > self.module.decode_head.threshold).to(probs)
            else:
                probs = logits.softmax(dim=1).mean(dim=0)
                merged_logits = probs.clamp_min(
                    torch.finfo(probs.dtype).tiny).log()
                pred = probs.argmax(dim=0, keepdim=True)
            merged = data_samples[-1]
            merged.set_data({
                'seg_logits': PixelData(data=merged_logits),
                'pred_sem_seg': PixelData(data=pred)
            })
            if hasattr(data_samples[0], 'gt_sem_seg'):
                merged.set_data({'gt_sem_seg': data_samples[0].gt_sem_seg})
            merged.set_metainfo({'img_path': data_samples[0].img_path})
            predictions.append(merged)
        return predictions

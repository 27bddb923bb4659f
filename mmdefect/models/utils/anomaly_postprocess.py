"""Put a batch of anomaly maps into data samples (mmseg's geometry)."""
from typing import Optional

import torch
from mmengine.structures import PixelData
from mmseg.models.utils import resize
from mmseg.structures import SegDataSample
from mmseg.utils import OptSampleList, SampleList
from torch import Tensor


def restore_anomaly_maps(maps: Tensor,
                         data_samples: OptSampleList = None,
                         threshold: float = 0.5,
                         align_corners: bool = False,
                         pred_key: Optional[str] = 'pred_sem_seg'
                         ) -> SampleList:
    """Write ``anomaly_map`` (and a thresholded ``pred_sem_seg``) per sample.

    The geometry follows mmseg's ``BaseSegmentor.postprocess_result``: the
    padding of the data pre-processor (``img_padding_size`` or
    ``padding_size``) is cropped and a test-time flip is undone.  Then:

    - if the sample carries a ``gt_sem_seg`` of exactly this size (the test
      pipeline transformed the label together with the image, e.g. resized
      and padded to a fixed square), the map stays in that frame, so the
      metrics compare it pixel by pixel with the label;
    - otherwise it goes back onto the original image: padding added by the
      test pipeline (mmcv ``Pad``/``PadIgnoreLabels`` pad at the bottom and
      right) is cropped to the resized content, ``ori_shape`` times
      ``scale_factor``, and the map is resized bilinearly to ``ori_shape``
      (mmseg's convention, where labels stay at the original size).

    Without data samples the maps are stored as they are.

    Args:
        maps (Tensor): ``(N, 1, H, W)`` anomaly maps at the padded input
            size (higher = more anomalous).
        data_samples (list[SegDataSample], optional): The batch's samples.
        threshold (float): ``pred_sem_seg = anomaly_map >= threshold``
            (int64 0/1).  A calibrated threshold is applied by the
            inferencer and the metrics, not here.
        align_corners (bool): Of the final resize.
        pred_key (str, optional): Key of the binary prediction; None writes
            no prediction.

    Returns:
        list[SegDataSample]: The samples with ``anomaly_map``
        (``PixelData`` of a ``(1, h, w)`` float32 tensor).
    """
    if maps.dim() != 4 or maps.shape[1] != 1:
        raise ValueError('anomaly maps must be (N, 1, H, W), got '
                         f'{tuple(maps.shape)}')
    batch_size, _, height, width = maps.shape
    only_prediction = data_samples is None
    if only_prediction:
        data_samples = [SegDataSample() for _ in range(batch_size)]
    for i in range(batch_size):
        amap = maps[i:i + 1]
        if not only_prediction:
            meta = data_samples[i].metainfo
            left, right, top, bottom = meta.get(
                'img_padding_size', meta.get('padding_size', [0] * 4))
            amap = amap[:, :, top:height - bottom, left:width - right]
            if meta.get('flip', None):
                direction = meta.get('flip_direction', None)
                if direction not in ('horizontal', 'vertical'):
                    raise ValueError(f'unknown flip_direction {direction!r}')
                amap = amap.flip(dims=(3, ) if direction ==
                                 'horizontal' else (2, ))
            gt = data_samples[i].get('gt_sem_seg')
            in_label_frame = gt is not None and tuple(
                gt.shape) == tuple(amap.shape[2:])
            if not in_label_frame and 'ori_shape' in meta:
                amap = _crop_pipeline_padding(amap, meta)
                amap = resize(
                    amap,
                    size=meta['ori_shape'][:2],
                    mode='bilinear',
                    align_corners=align_corners,
                    warning=False)
        amap = amap[0].float()
        fields = {'anomaly_map': PixelData(data=amap)}
        if pred_key is not None:
            fields[pred_key] = PixelData(data=(amap >= threshold).to(
                torch.long))
        data_samples[i].set_data(fields)
    return data_samples


def _crop_pipeline_padding(amap: Tensor, meta: dict) -> Tensor:
    """Crop ``(1, 1, H, W)`` to the resized image content (``ori_shape``
    times ``scale_factor``; padding of mmcv's ``Pad`` is bottom/right)."""
    ori_h, ori_w = meta['ori_shape'][:2]
    scale = meta.get('scale_factor')
    if scale is None:
        scale_w = scale_h = 1.0
    elif isinstance(scale, (int, float)):
        scale_w = scale_h = float(scale)
    else:
        scale_w, scale_h = float(scale[0]), float(scale[1])
    content_h = min(int(round(ori_h * scale_h)), amap.shape[2])
    content_w = min(int(round(ori_w * scale_w)), amap.shape[3])
    return amap[:, :, :max(content_h, 1), :max(content_w, 1)]

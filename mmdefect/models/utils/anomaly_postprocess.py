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

    The geometry is exactly that of mmseg's
    ``BaseSegmentor.postprocess_result``: the padding recorded by the data
    pre-processor (``img_padding_size`` or ``padding_size``) is cropped, a
    test-time flip is undone and the map is resized bilinearly to
    ``ori_shape``, so the map lies on the original input image.  Without
    data samples the maps are stored as they are.

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
        (``PixelData`` of a ``(1, H, W)`` float32 tensor).
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
            if 'ori_shape' in meta:
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

"""The traced module of an exported defect model: raw pair -> scores."""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmdefect.evaluation.functional.scores import (defect_probability,
                                                   topk_count)
from mmdefect.evaluation.score_rule import ScoreRule

INPUT_DTYPES = ('uint8', 'float32')


class DefectExportModule(nn.Module):
    """A segmentor with its preprocessing and the shared score rule, as one
    traceable module.

    ``forward(inspected, reference)`` takes the raw images as the test
    pipeline hands them to the data preprocessor: ``(N, H, W, C)`` (NHWC,
    BGR as loaded by OpenCV/mmcv), ``uint8`` or ``float32`` (0-255).  It

    1. converts to NCHW float, applies the preprocessor's channel
       conversion (``bgr_to_rgb``) and normalisation (``mean``/``std``),
       and pads to its ``test_cfg`` (``size`` or ``size_divisor``) with
       ``pad_val``;
    2. runs the model's features and ``decode_head.predict`` (logits, or
       the anomaly map of an anomaly head, at the padded input size), crops
       the padding (what mmseg's ``postprocess_result`` does);
    3. gives the pixel score map of
       :func:`~mmdefect.evaluation.functional.scores.score_map`: the
       anomaly map as is, else
       :func:`~mmdefect.evaluation.functional.scores.defect_probability` of
       the logits, and the image score of the :class:`ScoreRule`
       (``'max'`` or ``'topk_mean'``);
    4. for a segmentation model also the class map (argmax; for one output
       channel ``sigmoid > decode_head.threshold``, as mmseg).

    Outputs: ``score_map`` ``(N, H, W)`` float32, ``image_score`` ``(N,)``
    float32 and, for segmentation models, ``pred_mask`` ``(N, H, W)`` uint8.

    A single-image model (mmseg's ``EncoderDecoder``, or
    ``SiameseEncoderDecoder(fusion='img_only')``) still takes both inputs so
    every exported file has one interface; its graph ignores the reference.

    Args:
        model (nn.Module): The segmentor, in eval mode.
        score_rule (ScoreRule): The image-score rule (its ``source`` must be
            compatible with the model's output).
        paired (bool): The model takes ``(N, 2C, H, W)`` paired inputs.
        input_dtype (str): ``'uint8'`` or ``'float32'``.
        static_hw (tuple[int, int], optional): The fixed input size of a
            static export, used for ``'topk_mean'``'s pixel count; ``None``
            (dynamic) sorts the scores instead of ``topk``.
    """

    def __init__(self,
                 model: nn.Module,
                 score_rule: ScoreRule,
                 paired: bool,
                 input_dtype: str = 'uint8',
                 static_hw: Optional[Tuple[int, int]] = None):
        super().__init__()
        if input_dtype not in INPUT_DTYPES:
            raise ValueError(f'input_dtype must be one of {INPUT_DTYPES}, '
                             f'got {input_dtype!r}')
        self.model = model
        self.score_rule = score_rule
        self.paired = paired
        self.input_dtype = input_dtype
        self.static_hw = static_hw
        pre = model.data_preprocessor
        channels = int(getattr(model, 'in_channels', 3))
        self.channels = channels
        self.anomaly = bool(
            getattr(model.decode_head, 'out_anomaly_map', False))
        self.flip_channels = bool(getattr(pre, '_channel_conversion', False))
        if getattr(pre, '_enable_normalize', False):
            mean = pre.mean.view(-1)[:channels]
            std = pre.std.view(-1)[:channels]
        else:
            mean = torch.zeros(channels)
            std = torch.ones(channels)
        self.register_buffer('mean', mean.view(1, -1, 1, 1).float().clone())
        self.register_buffer('std', std.view(1, -1, 1, 1).float().clone())
        test_cfg = dict(getattr(pre, 'test_cfg', None) or {})
        self.pad_size = test_cfg.get('size')
        self.size_divisor = test_cfg.get('size_divisor')
        self.pad_val = float(test_cfg.get('pad_val', getattr(pre, 'pad_val',
                                                             0)))

    @property
    def output_names(self) -> Sequence[str]:
        names = ['score_map', 'image_score']
        return names if self.anomaly else names + ['pred_mask']

    def _prepare(self, image: Tensor) -> Tensor:
        x = image.permute(0, 3, 1, 2).float()
        if self.flip_channels and self.channels == 3:
            x = x[:, [2, 1, 0]]
        return (x - self.mean) / self.std

    def _pad(self, x: Tensor) -> Tensor:
        height, width = x.shape[2], x.shape[3]
        if self.pad_size is not None:
            pad_h = self.pad_size[0] - height
            pad_w = self.pad_size[1] - width
        elif self.size_divisor is not None:
            div = self.size_divisor
            pad_h = (div - height % div) % div
            pad_w = (div - width % div) % div
        else:
            return x
        return F.pad(x, [0, pad_w, 0, pad_h], value=self.pad_val)

    def encode_reference(self, reference: Tensor):
        """Reference features of raw ``(M, H, W, C)`` references for
        ``forward(..., ref_feats=)`` (a ``SiameseEncoderDecoder``'s
        reference-feature cache; eager use, not exported)."""
        return self.model.encode_reference(self._pad(
            self._prepare(reference)))

    def forward(self,
                inspected: Tensor,
                reference: Optional[Tensor] = None,
                ref_feats=None):
        """Scores of raw pairs; with ``ref_feats`` (from
        :meth:`encode_reference`) the reference input is not used."""
        height, width = inspected.shape[1], inspected.shape[2]
        x = self._pad(self._prepare(inspected))
        if ref_feats is not None:
            feats = self.model.extract_feat(x, ref_feats=ref_feats)
            reference = inspected
        else:
            if self.paired:
                x = torch.cat([x, self._pad(self._prepare(reference))],
                              dim=1)
            feats = self.model.extract_feat(x)
        shape = x.shape[2:]
        metas = [dict(img_shape=shape, pad_shape=shape, ori_shape=shape)]
        head = self.model.decode_head
        if self.anomaly and hasattr(head, 'anomaly_map') and hasattr(
                head, 'sigma'):
            out = self._smooth(head.anomaly_map(feats, size=shape),
                               head.sigma)
        else:
            out = head.predict(feats, metas, self.model.test_cfg)
        out = out[:, :, :height, :width]
        if self.anomaly:
            scores = out[:, 0].float()
        else:
            scores = defect_probability(out, dim=1)
        flat = scores.flatten(1)
        image_score = self._image_score(flat)
        if not self.paired:
            # keep the unused reference an input of the graph (the tracer
            # drops unused inputs): one element times zero
            image_score = image_score + reference[:, 0, 0, 0].float() * 0
        outputs = [scores, image_score]
        if not self.anomaly:
            if out.shape[1] == 1:
                threshold = float(self.model.decode_head.threshold)
                pred = torch.sigmoid(out[:, 0]) > threshold
            else:
                pred = out.argmax(dim=1)
            outputs.append(pred.to(torch.uint8))
        return tuple(outputs)

    @staticmethod
    def _smooth(amap: Tensor, sigma: float) -> Tensor:
        """``CATHead.smooth`` with a constant kernel: torchvision's
        ``gaussian_blur`` builds its kernel from the traced channel count,
        which the ONNX exporter cannot convolve with. Same kernel size rule
        (taken at the traced size), kernel, reflect padding and conv."""
        if sigma == 0:
            return amap
        ksize = 2 * int(4 * sigma + 0.5) + 1
        ksize = max(1, min(ksize, 2 * (min(amap.shape[2:]) - 1) + 1))
        if ksize == 1:
            return amap
        half = (ksize - 1) * 0.5
        pdf = torch.exp(-0.5 * (torch.linspace(-half, half, ksize) /
                                sigma).pow(2))
        kernel1d = pdf / pdf.sum()
        kernel = torch.mm(kernel1d[:, None], kernel1d[None, :])
        padded = F.pad(amap, [ksize // 2] * 4, mode='reflect')
        return F.conv2d(padded, kernel.to(amap.dtype)[None, None])

    def _image_score(self, flat: Tensor) -> Tensor:
        rule = self.score_rule
        if rule.image_score == 'max':
            return flat.amax(dim=1)
        if self.static_hw is not None:
            k = topk_count(self.static_hw[0] * self.static_hw[1], rule.topk)
            return flat.topk(k, dim=1).values.double().mean(dim=1).float()
        # dynamic size: k from the traced pixel count, mean of the k largest
        num = torch._shape_as_tensor(flat)[1].double()
        if isinstance(rule.topk, float):
            k = torch.clamp(torch.ceil(num * rule.topk), min=1.)
        else:
            k = torch.clamp(num, max=float(rule.topk))
        ranked = flat.double().sort(dim=1, descending=True).values
        index = (k - 1).long().view(1, 1).expand(flat.shape[0], 1)
        total = ranked.cumsum(dim=1).gather(1, index)[:, 0]
        return (total / k).float()

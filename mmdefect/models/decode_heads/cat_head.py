"""CAT's anomaly head: student-teacher discrepancy -> anomaly map."""
from typing import List, Optional, Sequence, Tuple

import torch
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import ConfigType, SampleList
from torch import Tensor
from torchvision.transforms.functional import gaussian_blur

from mmdefect.models.losses.feature_pairs import cosine_map, pair_scales
from mmdefect.models.utils.siamese_features import SiameseFeatures


@MODELS.register_module()
class CATHead(BaseDecodeHead):
    r"""Parameter-free anomaly head of CAT (student vs frozen teacher).

    `Contrastive Augmented Transformer ... Metal Surface Defect Detection
    <https://arxiv.org/abs/2606.01962>`_, Fig. 1 and Section 3.4.  The head
    takes one :class:`SiameseFeatures` from
    ``SiameseEncoderDecoder(fusion='pair')`` with a separate
    ``ref_backbone``: ``img`` are the student's maps of the (augmented)
    inspected image after its neck (:class:`~mmdefect.models.MSFFPN`),
    ``ref`` the frozen teacher's maps of the reference, which for CAT is the
    original image itself (``ref_mode='self'``).  ``in_index`` selects the
    same stages of both; a student map of another size is resized
    bilinearly to the teacher's, channels must agree.

    **Training** (:meth:`loss`): every ``loss_decode`` (e.g.
    :class:`~mmdefect.models.losses.WeightedContrastiveLoss`, or
    :class:`~mmdefect.models.losses.FeatureReconstructionLoss` for the
    MMR-style baseline) is called as ``loss(student, teacher, label,
    ignore_index=...)`` with the droplet label from ``gt_sem_seg`` (0 normal,
    1 droplet, ``ignore_index`` padding) that
    :class:`~mmdefect.datasets.transforms.DropletAug` writes.

    **Inference** (:meth:`predict`): per scale the discrepancy
    :math:`1 - \cos(f_s, f_t)` (Eq. 1) over channels, upsampled bilinearly
    to the (padded) input size, averaged over the scales with
    ``scale_weights`` and smoothed by a Gaussian of :math:`\sigma` =
    ``sigma`` (kernel :math:`2\lfloor 4\sigma + 0.5\rfloor + 1`, reflect
    padding, as MMR and anomalib; the kernel is shortened for inputs
    smaller than it).  The result, in :math:`[0, 2]`, is one channel; the
    segmentor writes it as ``anomaly_map`` (``out_anomaly_map = True``).
    The image score is not computed here: the shared score rule
    (``mmdefect.evaluation.functional.scores``) takes it from the map.

    :meth:`forward` (tensor mode, FLOP counting, export) returns the
    unsmoothed average at the first selected scale's resolution.

    The head has no parameters; ``channels``, ``num_classes``,
    ``out_channels`` only satisfy :class:`BaseDecodeHead` (one output
    channel, ``threshold`` the fixed 0.5 of the paper).

    Args:
        in_channels (Sequence[int]): Channels of the selected scales (the
            teacher's, e.g. ``[256, 512, 1024]``).
        in_index (Sequence[int]): Stages used by loss and map.
        loss_decode (dict | list[dict]): Feature losses. Defaults to
            ``dict(type='WeightedContrastiveLoss')``.
        sigma (float): Gaussian smoothing of the map; 0 disables it.
            Defaults to 4.
        scale_weights (Sequence[float], optional): Weights of the scales in
            the map. Defaults to None (equal).
        threshold (float): ``pred_sem_seg`` threshold unless
            ``test_cfg.threshold`` is given. Defaults to 0.5.
        **kwargs: Other arguments of :class:`BaseDecodeHead`
            (``ignore_index``, ``align_corners``).
    """

    out_anomaly_map = True

    def __init__(self,
                 in_channels: Sequence[int],
                 in_index: Sequence[int] = (0, 1, 2),
                 loss_decode=dict(type='WeightedContrastiveLoss'),
                 sigma: float = 4.0,
                 scale_weights: Optional[Sequence[float]] = None,
                 threshold: float = 0.5,
                 **kwargs):
        for key in ('channels', 'num_classes', 'out_channels'):
            kwargs.pop(key, None)
        super().__init__(
            in_channels=list(in_channels),
            channels=1,
            num_classes=2,
            out_channels=1,
            threshold=threshold,
            dropout_ratio=0.,
            in_index=list(in_index),
            input_transform='multiple_select',
            loss_decode=loss_decode,
            init_cfg=None,
            **kwargs)
        # the 1x1 classifier of BaseDecodeHead is never used
        del self.conv_seg
        if sigma < 0:
            raise ValueError(f'CATHead: sigma must be >= 0, got {sigma!r}')
        self.sigma = float(sigma)
        if scale_weights is not None and len(scale_weights) != len(in_index):
            raise ValueError(f'CATHead: {len(scale_weights)} scale_weights '
                             f'for {len(in_index)} scales')
        self.scale_weights = None if scale_weights is None else [
            float(w) for w in scale_weights
        ]

    def feature_pairs(self,
                      inputs: SiameseFeatures) -> Tuple[List[Tensor],
                                                        List[Tensor]]:
        """Selected ``(student, teacher)`` maps, student aligned in size."""
        if not isinstance(inputs, SiameseFeatures):
            raise TypeError('CATHead needs SiameseFeatures(img, ref) from '
                            "SiameseEncoderDecoder(fusion='pair'), got "
                            f'{type(inputs).__name__}')
        student, teacher, _ = pair_scales(
            self._transform_inputs(inputs.img),
            self._transform_inputs(inputs.ref),
            None,
            'CATHead',
            self.align_corners,
            hint="; set the neck's out_channels to the teacher's")
        return student, teacher

    def anomaly_map(self, inputs: SiameseFeatures,
                    size: Optional[Sequence[int]] = None) -> Tensor:
        """Average of the per-scale ``1 - cos`` maps at ``size`` (default:
        the first scale's), ``(N, 1, h, w)``, not smoothed."""
        student, teacher = self.feature_pairs(inputs)
        size = tuple(teacher[0].shape[2:]) if size is None else tuple(size)
        weights = self.scale_weights or [1.0] * len(student)
        total = 0.
        for w, s, t in zip(weights, student, teacher):
            dist = (1.0 - cosine_map(s, t))[:, None]
            if dist.shape[2:] != size:
                dist = resize(
                    dist,
                    size=size,
                    mode='bilinear',
                    align_corners=self.align_corners)
            total = total + w * dist
        return total / sum(weights)

    def smooth(self, amap: Tensor) -> Tensor:
        """Gaussian smoothing of ``(N, 1, H, W)`` maps (see class doc)."""
        if self.sigma == 0:
            return amap
        ksize = 2 * int(4 * self.sigma + 0.5) + 1
        limit = 2 * (min(amap.shape[2:]) - 1) + 1  # reflect pad < size
        ksize = max(1, min(ksize, limit))
        if ksize == 1:
            return amap
        return gaussian_blur(amap, [ksize, ksize], [self.sigma, self.sigma])

    def forward(self, inputs: SiameseFeatures) -> Tensor:
        """Unsmoothed anomaly map at the first scale, ``(N, 1, h, w)``."""
        return self.anomaly_map(inputs)

    def predict(self, inputs: SiameseFeatures, batch_img_metas: List[dict],
                test_cfg: ConfigType) -> Tensor:
        """Smoothed anomaly map ``(N, 1, H, W)`` at the padded input size
        (``img_shape`` when it is a ``torch.Size``, else ``pad_shape``, as
        :meth:`BaseDecodeHead.predict_by_feat`)."""
        meta = batch_img_metas[0]
        if isinstance(meta['img_shape'], torch.Size):
            size = meta['img_shape']
        elif 'pad_shape' in meta:
            size = meta['pad_shape'][:2]
        else:
            size = meta['img_shape']
        return self.smooth(self.anomaly_map(inputs, size=size))

    def loss(self, inputs: SiameseFeatures, batch_data_samples: SampleList,
             train_cfg: ConfigType) -> dict:
        """Feature losses against the droplet label.

        Returns:
            dict[str, Tensor]: One entry per ``loss_decode`` (by its
            ``loss_name``, summed when names repeat) and, when the batch
            has droplet and normal pixels, ``anomaly_gap``: the mean
            discrepancy at droplet minus at normal pixels of the first
            scale (a detached training diagnostic).
        """
        student, teacher = self.feature_pairs(inputs)
        label = self._stack_batch_gt(batch_data_samples).squeeze(1)
        losses = dict()
        loss_modules = self.loss_decode if isinstance(
            self.loss_decode, torch.nn.ModuleList) else [self.loss_decode]
        for module in loss_modules:
            value = module(
                student, teacher, label, ignore_index=self.ignore_index)
            name = module.loss_name
            losses[name] = losses[name] + value if name in losses else value
        gap = self._gap(student[0], teacher[0], label)
        if gap is not None:
            losses['anomaly_gap'] = gap
        return losses

    def _gap(self, student: Tensor, teacher: Tensor,
             label: Tensor) -> Optional[Tensor]:
        with torch.no_grad():
            dist = resize(
                (1.0 - cosine_map(student, teacher))[:, None],
                size=label.shape[-2:],
                mode='bilinear',
                align_corners=self.align_corners)[:, 0]
            valid = label != self.ignore_index
            anom = valid & (label != 0)
            normal = valid & (label == 0)
            if not anom.any() or not normal.any():
                return None
            return dist[anom].mean() - dist[normal].mean()

"""CADNet's change-aware decode head (paper Eq. 7, 11-14)."""
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import ConfigType, OptConfigType, SampleList
from torch import Tensor

from mmdefect.models.utils.channel_attention import ChannelAttention
from mmdefect.models.utils.coordinate_attention import CoordinateAttention
from mmdefect.models.utils.siamese_features import SiameseFeatures


@MODELS.register_module()
class CADHead(BaseDecodeHead):
    r"""Change-aware decoder of CADNet with its distance map and losses.

    `Siamese network with change awareness for surface defect segmentation in
    complex backgrounds <https://arxiv.org/abs/2409.00589>`_ (Sci. Reports
    2025).  The head takes one :class:`SiameseFeatures` (multi-stage features
    of the inspected image ``img`` and of its defect-free reference ``ref``,
    as produced by ``SiameseEncoderDecoder(fusion='pair')``) and works at any
    input size.

    **DistMap (Eq. 7)**, :meth:`compute_distmap`: every selected stage of
    ``img`` and ``ref`` is resized bilinearly (``align_corners`` of the head)
    to the size of the first selected stage (1/4 of the input for MiT), the
    stages are concatenated on channels (512 for MiT-B0) and
    ``DistMap = ||f_img - f_ref + eps||_2`` over channels, shape
    ``(N, 1, H/4, W/4)``, with ``eps = 1e-6`` as in the authors'
    ``F.pairwise_distance``.  The raw (unnormalised) DistMap is what the
    contrastive loss sees, so the loss gradient reaches the encoder.

    **Decoder**: SegFormer's all-MLP fusion applied, as in the authors' code,
    to the per-stage signed differences ``f_img - f_ref``: a 1x1
    :class:`ConvModule` (``in_i -> channels``) per stage, bilinear resize to
    the first stage, concatenation into ``X = [x_1, ..., x_S]``
    (``S * channels``), then the change-aware attention below, ``fusion_conv``
    (1x1 ``S * channels -> channels``), dropout and ``conv_seg``.  Logits
    are at the first stage's resolution, like ``SegformerHead``.

    The decoder uses ``D = sigmoid(DistMap)`` computed on the *detached*
    DistMap, as the authors do: the DistMap is shaped only by the contrastive
    loss, and the decoder's gradient reaches the encoder through the
    difference features only.  The paper does not mention the sigmoid or the
    detach.

    ``change_att`` selects the change-aware attention:

    - ``'supervised'`` (Eq. 11-12, the paper's fully supervised CADNet)::

          out = CA(X + D) * (X + tile_S(CoordAtt(sum_i x_i + D)))

      ``CA`` is :class:`ChannelAttention` on all ``S * channels`` channels
      and ``CoordAtt`` (:class:`CoordinateAttention`, the horizontal ``HA``
      and vertical ``VA`` attention) runs on the sum of the stage maps and is
      tiled over the ``S`` groups.  ``+ D`` broadcasts the one-channel map
      over channels (the paper's :math:`\oplus`).  This follows the authors'
      code, not Eq. 12 literally (``CA(.) * HA(.) * VA(.)`` on ``X + D``): the
      coded form is what produced the paper's numbers and its 3.90M
      parameters (CA 131,072 + CoordAtt 49,856 for MiT-B0 and
      ``channels=256``), whereas CoordAtt on all ``S * channels`` channels
      would not match them.
    - ``'semi'`` (Eq. 13-14, the semi-/unsupervised setting)::

          out = Norm(D) * CA(X) * X

      with ``Norm`` a min-max normalisation to ``[0, 1]`` of ``D``.  The
      authors normalise over the whole batch tensor; we normalise **per
      image**, so a prediction does not depend on the other images of its
      batch (batch-global at batch size 1, i.e. at test time, is the same).
      No CoordAtt is built in this mode.
    - ``None``: no change-aware attention (plain SegFormer MLP head on the
      differences): the "no CAD" rows of the paper's Table 7.

    **Losses** (Eq. 16): ``loss_decode`` (cross entropy by default,
    :math:`\lambda_1` is its ``loss_weight``) on the logits, plus
    ``loss_contrast`` (:class:`BalancedContrastiveLoss` by default,
    :math:`\lambda_2` its ``loss_weight``) on the DistMap, with the head's
    ``ignore_index``.  The ablation rows of Table 7 are:

    - CEL: ``change_att=None, loss_contrast=None``;
    - CEL + CL: ``change_att=None`` and
      ``loss_contrast=dict(type='BalancedContrastiveLoss', balanced=False)``;
    - CEL + BCL: ``change_att=None``;
    - CEL + BCL + CAD (CADNet): the defaults.

    Args:
        change_att (str | None): ``'supervised'`` (Eq. 11-12), ``'semi'``
            (Eq. 13-14) or ``None`` (no attention). Defaults to
            ``'supervised'``.
        loss_contrast (dict | None): Config of the loss on the DistMap, built
            from mmseg's ``MODELS``; ``None`` disables it. Defaults to
            ``dict(type='BalancedContrastiveLoss')`` (needs
            ``mmdefect.models.losses`` imported).
        interpolate_mode (str): Mode of the stage upsampling in the MLP
            fusion. Defaults to 'bilinear'.
        channel_att_ratio (int): Reduction ratio of :class:`ChannelAttention`.
            Defaults to 16.
        coord_att_reduction (int): Reduction of :class:`CoordinateAttention`
            (its norm layer is the head's ``norm_cfg``). Defaults to 4.
        att_init_mode (str): Initialisation of both attention blocks:
            ``'pytorch'`` (PyTorch's default ``nn.Conv2d`` init, as in the
            authors' code) or ``'kaiming'`` (mmcv ``ConvModule``'s). Defaults
            to ``'pytorch'``.
        **kwargs: Arguments of :class:`BaseDecodeHead` (``in_channels`` and
            ``in_index`` are sequences, one entry per stage).
    """

    CHANGE_ATT_MODES = ('supervised', 'semi', None)
    DISTMAP_EPS = 1e-6
    NORM_EPS = 1e-10

    def __init__(self,
                 change_att: Optional[str] = 'supervised',
                 loss_contrast: OptConfigType = dict(
                     type='BalancedContrastiveLoss'),
                 interpolate_mode: str = 'bilinear',
                 channel_att_ratio: int = 16,
                 coord_att_reduction: int = 4,
                 att_init_mode: str = 'pytorch',
                 **kwargs):
        super().__init__(input_transform='multiple_select', **kwargs)
        if change_att not in self.CHANGE_ATT_MODES:
            raise ValueError(f'change_att must be one of '
                             f'{self.CHANGE_ATT_MODES}, got {change_att!r}')
        self.change_att = change_att
        self.interpolate_mode = interpolate_mode
        num_inputs = len(self.in_channels)

        self.convs = nn.ModuleList(
            ConvModule(
                in_channels=in_ch,
                out_channels=self.channels,
                kernel_size=1,
                norm_cfg=self.norm_cfg,
                act_cfg=self.act_cfg) for in_ch in self.in_channels)
        if change_att is not None:
            self.channel_att = ChannelAttention(
                self.channels * num_inputs,
                ratio=channel_att_ratio,
                init_mode=att_init_mode)
        if change_att == 'supervised':
            self.coord_att = CoordinateAttention(
                self.channels,
                reduction=coord_att_reduction,
                norm_cfg=self.norm_cfg,
                init_mode=att_init_mode)
        self.fusion_conv = ConvModule(
            in_channels=self.channels * num_inputs,
            out_channels=self.channels,
            kernel_size=1,
            norm_cfg=self.norm_cfg)
        self.loss_contrast = MODELS.build(
            loss_contrast) if loss_contrast is not None else None

    def _stage_pairs(
            self,
            inputs: SiameseFeatures) -> Tuple[List[Tensor], List[Tensor]]:
        """Check the input and select the ``in_index`` stages of both."""
        if not isinstance(inputs, SiameseFeatures):
            raise TypeError('CADHead needs SiameseFeatures(img, ref) from '
                            "SiameseEncoderDecoder(fusion='pair'), got "
                            f'{type(inputs).__name__}')
        img = self._transform_inputs(inputs.img)
        ref = self._transform_inputs(inputs.ref)
        for a, b in zip(img, ref):
            if a.shape != b.shape:
                raise ValueError(
                    'inspected and reference features differ in shape: '
                    f'{tuple(a.shape)} vs {tuple(b.shape)}')
        return img, ref

    def _distmap(self, img: List[Tensor], ref: List[Tensor]) -> Tensor:
        """Eq. 7 on already selected stages; see :meth:`compute_distmap`."""
        size = img[0].shape[2:]
        diffs = [
            resize(
                a - b,
                size=size,
                mode='bilinear',
                align_corners=self.align_corners) for a, b in zip(img, ref)
        ]
        return torch.linalg.vector_norm(
            torch.cat(diffs, dim=1) + self.DISTMAP_EPS,
            ord=2,
            dim=1,
            keepdim=True)

    def compute_distmap(self, inputs: SiameseFeatures) -> Tensor:
        """DistMap of Eq. 7, ``(N, 1, h, w)`` at the first stage's size.

        Resizing is linear, so resizing the per-stage difference equals the
        difference of the resized features of Eq. 7.
        """
        return self._distmap(*self._stage_pairs(inputs))

    def _normalise(self, d: Tensor) -> Tensor:
        """``Norm`` of Eq. 13: per-image min-max of ``d`` to ``[0, 1]``."""
        low = d.amin(dim=(1, 2, 3), keepdim=True)
        high = d.amax(dim=(1, 2, 3), keepdim=True)
        return (d - low) / (high - low + self.NORM_EPS)

    def change_attention(self, feats: List[Tensor],
                         dist_map: Optional[Tensor]) -> Tensor:
        """Apply the ``change_att`` block to the projected stage maps.

        Args:
            feats (list[Tensor]): Projected difference maps ``x_i``, each
                ``(N, channels, h, w)`` at the first stage's size.
            dist_map (Tensor, optional): DistMap ``(N, 1, h, w)``, detached
                here; unused (may be ``None``) when ``change_att`` is None.

        Returns:
            Tensor: ``(N, S * channels, h, w)``, the input of ``fusion_conv``.
        """
        x = torch.cat(feats, dim=1)
        if self.change_att is None:
            return x
        d = torch.sigmoid(dist_map.detach())
        if self.change_att == 'semi':
            # Eq. 13-14: Norm(D) * CA(X) * X
            return self._normalise(d) * self.channel_att(x) * x
        # Eq. 11-12 as coded by the authors: CA(X + D) * (X + tile(HA.VA))
        hv = self.coord_att(torch.stack(feats).sum(dim=0) + d)
        return self.channel_att(x + d) * (x + hv.repeat(1, len(feats), 1, 1))

    def _forward(
            self,
            inputs: SiameseFeatures,
            with_distmap: bool = False) -> Tuple[Tensor, Optional[Tensor]]:
        """Return the logits and the DistMap.

        The DistMap is computed when the attention uses it or when
        ``with_distmap`` is set, otherwise it is ``None``.
        """
        img, ref = self._stage_pairs(inputs)
        dist_map = self._distmap(img, ref) if (
            with_distmap or self.change_att is not None) else None
        size = img[0].shape[2:]
        feats = [
            resize(
                conv(a - b),
                size=size,
                mode=self.interpolate_mode,
                align_corners=self.align_corners)
            for conv, a, b in zip(self.convs, img, ref)
        ]
        out = self.fusion_conv(self.change_attention(feats, dist_map))
        return self.cls_seg(out), dist_map

    def forward(self, inputs: SiameseFeatures) -> Tensor:
        """Segmentation logits ``(N, num_classes, h, w)`` at 1/4 scale.

        In eval mode without autograd (inference, export) this is
        :meth:`_fast_logits` (same logits, reordered in-place arithmetic);
        otherwise the literal :meth:`_forward`.
        """
        if not self.training and not torch.is_grad_enabled() and \
                self._fast_path_applies():
            return self._fast_logits(inputs)
        return self._forward(inputs)[0]

    def _fast_path_applies(self) -> bool:
        fusion = self.fusion_conv
        return (fusion.order == ('conv', 'norm', 'act')
                and fusion.conv.kernel_size == (1, 1)
                and fusion.conv.groups == 1)

    def _fast_logits(self, inputs: SiameseFeatures) -> Tensor:
        r"""Eval-mode logits without the ``S * channels`` feature tensors.

        Equal to :meth:`_forward` up to float rounding. The ``1x1``
        ``fusion_conv`` (weights :math:`W = [W_1 .. W_S]`) is linear, so

        - the channel attention folds into per-image weights
          :math:`W'_i = W_i \operatorname{diag}(CA_i)`;
        - ``W * (X + tile(A)) = sum_i W'_i x_i + (sum_i W'_i) A``;
        - a ``1x1`` conv commutes with the (linear, per-channel) resize of
          the stage maps: :math:`W'_i \, resize(y_i) = resize(W'_i y_i)`,
          so stages 2..S are mixed at their own resolution;
        - ``Norm(D)`` of Eq. 13 is one channel and factors out of the conv.

        The pooled statistics of CA (mean and max of ``x_i + D`` per
        channel) and the CoordAtt input ``sum_i x_i + D`` are accumulated
        stage by stage, in place. The DistMap is the sum over stages of the
        squared norms. Nothing of size ``S * channels`` at 1/4 resolution is
        materialised (four or more such tensors, 64 MB each at 512x512, in
        the literal form).
        """
        img, ref = self._stage_pairs(inputs)
        diffs = [a - b for a, b in zip(img, ref)]
        size = diffs[0].shape[2:]
        ys = [conv(diff) for conv, diff in zip(self.convs, diffs)]
        weight = self.fusion_conv.conv.weight.flatten(1)
        groups = len(ys)
        if self.change_att is None:
            mix = weight.view(1, weight.shape[0], groups, -1)
            return self._fused_output(ys, mix, None, None, size)
        if self.change_att == 'semi':
            # Norm(D) amplifies rounding where sigmoid saturates: use the
            # literal Eq. 7 so the min-max sees the same D
            d = torch.sigmoid(self._distmap(img, ref))
        else:
            d = torch.sigmoid(self._fast_distmap(diffs, size))
        avgs, peaks = [], []
        total = None  # sum_i x_i + D, the CoordAtt input (supervised)
        for y in ys:
            x = y if y.shape[2:] == size else resize(
                y,
                size=size,
                mode=self.interpolate_mode,
                align_corners=self.align_corners)
            if self.change_att == 'supervised':
                if total is None:
                    x = total = x + d
                else:
                    total.add_(x)
                    # y itself is still needed by _fused_output
                    x = x + d if x is y else x.add_(d)
            # pooled now: ``total`` (stage 0's x + D) changes afterwards
            avgs.append(x.mean(dim=(2, 3), keepdim=True))
            peaks.append(x.amax(dim=(2, 3), keepdim=True))
        att = self.channel_att.from_pooled(
            torch.cat(avgs, dim=1), torch.cat(peaks, dim=1)).flatten(1)
        mix = (weight.unsqueeze(0) * att.unsqueeze(1)).view(
            att.shape[0], weight.shape[0], groups, -1)
        if self.change_att == 'semi':
            return self._fused_output(ys, mix, None, self._normalise(d),
                                      size)
        return self._fused_output(ys, mix, self.coord_att(total), None, size)

    def _fast_distmap(self, diffs: List[Tensor], size) -> Tensor:
        """Eq. 7 as a sum of per-stage squared norms (no concatenation).

        The channel sums are a matrix product with a row of ones: a
        reduction over the channel axis of an NCHW map is slow in ONNX
        Runtime (``ReduceL2``), a ``MatMul`` is not.
        """
        squared = None
        for diff in diffs:
            if diff.shape[2:] == size:
                diff = diff + self.DISTMAP_EPS
            else:
                diff = resize(
                    diff,
                    size=size,
                    mode='bilinear',
                    align_corners=self.align_corners).add_(self.DISTMAP_EPS)
            ones = diff.new_ones(1, diff.shape[1])
            part = torch.matmul(ones, diff.square_().flatten(2))
            squared = part if squared is None else squared.add_(part)
        return squared.sqrt_().view(squared.shape[0], 1, *size)

    def _fused_output(self, ys: List[Tensor], mix: Tensor,
                      hv: Optional[Tensor], scale: Optional[Tensor],
                      size) -> Tensor:
        """``cls_seg(act(norm(W' [X + tile(hv)])) * scale)`` from the
        per-stage maps; ``mix`` is ``(N or 1, out, S, channels)``."""
        num = ys[0].shape[0]
        mix = mix.expand(num, *mix.shape[1:])
        out = None
        for index, y in enumerate(ys):
            part = torch.matmul(mix[:, :, index], y.flatten(2)).view(
                num, -1, *y.shape[2:])
            if y.shape[2:] != size:
                part = resize(
                    part,
                    size=size,
                    mode=self.interpolate_mode,
                    align_corners=self.align_corners)
            out = part if out is None else out.add_(part)
        if hv is not None:
            out = out.add_(
                torch.matmul(mix.sum(dim=2), hv.flatten(2)).view_as(out))
        if scale is not None:
            out = out.mul_(scale)
        fusion = self.fusion_conv
        if fusion.conv.bias is not None:
            out = out.add_(fusion.conv.bias.view(1, -1, 1, 1))
        if fusion.with_norm:
            out = fusion.norm(out)
        if fusion.with_activation:
            out = fusion.activate(out)
        return self.cls_seg(out)

    def loss(self, inputs: SiameseFeatures, batch_data_samples: SampleList,
             train_cfg: ConfigType) -> dict:
        """Forward and compute ``loss_decode`` and ``loss_contrast``.

        Args:
            inputs (SiameseFeatures): Multi-stage features of both images.
            batch_data_samples (list[:obj:`SegDataSample`]): Data samples
                with ``gt_sem_seg``.
            train_cfg (dict): The training config.

        Returns:
            dict[str, Tensor]: Loss components.
        """
        seg_logits, dist_map = self._forward(
            inputs, with_distmap=self.loss_contrast is not None)
        return self.loss_by_feat(
            seg_logits, batch_data_samples, dist_map=dist_map)

    def loss_by_feat(self,
                     seg_logits: Tensor,
                     batch_data_samples: SampleList,
                     dist_map: Optional[Tensor] = None) -> dict:
        """Compute ``loss_decode`` (and ``acc_seg``) plus ``loss_contrast``.

        Args:
            seg_logits (Tensor): Logits from :meth:`forward`.
            batch_data_samples (list[:obj:`SegDataSample`]): Data samples
                with ``gt_sem_seg``.
            dist_map (Tensor, optional): DistMap ``(N, 1, h, w)``, required
                when ``loss_contrast`` is set; it is upsampled to the label
                size inside the loss.

        Returns:
            dict[str, Tensor]: Loss components.
        """
        losses = super().loss_by_feat(seg_logits, batch_data_samples)
        if self.loss_contrast is not None:
            if dist_map is None:
                raise ValueError('loss_contrast needs the DistMap')
            seg_label = self._stack_batch_gt(batch_data_samples).squeeze(1)
            losses[self.loss_contrast.loss_name] = self.loss_contrast(
                dist_map, seg_label, ignore_index=self.ignore_index)
        return losses

"""CAT's multi-scale fusion FPN (paper Section 3.3, Fig. 4)."""
from typing import List, Optional, Sequence

import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmengine.model import BaseModule
from mmseg.models.necks import FPN
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import OptConfigType, OptMultiConfig
from torch import Tensor


class _ChannelLayerNorm(nn.LayerNorm):
    """Layer normalisation over the channels of every location of an
    ``(N, C, H, W)`` map (channels-last ``nn.LayerNorm``, as ConvNeXt)."""

    def forward(self, x: Tensor) -> Tensor:
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias,
                         self.eps)
        return x.permute(0, 3, 1, 2)


def _norm(norm_cfg: dict, channels: int) -> nn.Module:
    if norm_cfg.get('type') == 'LN2d':
        return _ChannelLayerNorm(channels, eps=norm_cfg.get('eps', 1e-6))
    return build_norm_layer(norm_cfg, channels)[1]


def _conv_block(in_channels: int, out_channels: int, kernel_size: int,
                stride: int, norm_cfg: dict,
                act_cfg: Optional[dict]) -> nn.Sequential:
    """conv -> norm -> (act)."""
    layers = [
        nn.Conv2d(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=kernel_size // 2,
            bias=False),
        _norm(norm_cfg, out_channels)
    ]
    if act_cfg is not None:
        layers.append(build_activation_layer(act_cfg))
    return nn.Sequential(*layers)


@MODELS.register_module()
class MSFFPN(BaseModule):
    r"""Multi-scale fusion FPN of CAT with outputs shaped like the teacher.

    `Contrastive Augmented Transformer ... Metal Surface Defect Detection
    <https://arxiv.org/abs/2606.01962>`_, Section 3.3 and Fig. 4.  The
    inputs are the selected stages of the student backbone, highest
    resolution first; the outputs have the teacher's channels
    (``out_channels``) at the strides of the first ``len(out_channels)``
    selected inputs, so with Swin-T stages 0-2 (96/192/384 channels, strides
    4/8/16) and ``out_channels=[256, 512, 1024]`` they compare scale by
    scale with ResNet-50 ``layer1``-``layer3``.

    **Bidirectional fusion** (``bidirectional=True``, the paper's MSF-FPN),
    with :math:`S` selected inputs :math:`C_i`:

    - lateral: :math:`L_i = \mathrm{LN}(\mathrm{Conv}_{1\times1}(C_i))` to
      ``channels`` channels;
    - top-down (Fig. 4: "2x2 transposed conv"):
      :math:`T_{S-1} = L_{S-1}`,
      :math:`T_i = L_i + \mathrm{align}(\mathrm{Deconv}_{2\times2,s2}
      (T_{i+1}))`, where ``align`` is bilinear interpolation to the size of
      :math:`L_i` (a no-op when the sizes already agree, needed for odd
      sizes);
    - smoothing: :math:`P_i = \mathrm{act}(\mathrm{LN}(\mathrm{Conv}_{3
      \times3}(T_i)))`;
    - bottom-up propagation of the high-resolution maps:
      :math:`B_0 = P_0`,
      :math:`B_i = P_i + \mathrm{align}(\mathrm{act}(\mathrm{LN}(
      \mathrm{Conv}_{3\times3,s2}(B_{i-1}))))`;
    - output: :math:`O_i = \mathrm{Conv}_{1\times1}(B_i)` to
      ``out_channels[i]`` for :math:`i <` ``len(out_channels)``.

    With more inputs than outputs (e.g. all four Swin-T stages for three
    teacher scales) the extra coarse inputs feed the top-down path only;
    smoothing and bottom-up run over the output levels, so every parameter
    receives a gradient.

    All fusions are element-wise additions.  **Layer normalisation** is
    channels-last ``LayerNorm`` over the channels of each location
    (``norm_cfg=dict(type='LN2d')``, the default, as in ConvNeXt); any
    mmcv norm config can replace it, e.g. ``dict(type='GN',
    num_groups=1)`` (GroupNorm with one group: LayerNorm over C, H and W).
    The paper does not specify activations; ``act_cfg`` (GELU by default,
    the activation of the Swin student) follows the 3x3 convolutions only.

    **Plain FPN** (``bidirectional=False``, the "w/o MSF-FPN" ablation and
    the MMR-style baseline): mmseg's :class:`~mmseg.models.necks.FPN`
    (``channels`` wide, nearest upsampling, top-down only, one 3x3 output
    conv per level) followed by the same 1x1 projections to
    ``out_channels``.

    **Single-scale backbones** (ViT): ``input_scales`` resizes every
    selected input bilinearly by its factor before the pyramid, e.g.
    ``(4, 2, 1)`` on three stride-16 ViT blocks gives strides 4/8/16 (like
    mmseg's ``MultiLevelNeck``).

    Args:
        in_channels (Sequence[int]): Channels of every backbone output.
        out_channels (Sequence[int]): Channels of the outputs, one per
            output level (highest resolution first); at most the number of
            selected inputs.
        channels (int): Width of the pyramid. Defaults to 256.
        in_index (Sequence[int], optional): Backbone outputs to use, in
            increasing stride. Defaults to all.
        bidirectional (bool): MSF-FPN (True) or plain FPN (False). Defaults
            to True.
        input_scales (Sequence[float], optional): Resize factor of each
            selected input. Defaults to None (no resizing).
        norm_cfg (dict): Normalisation of the MSF-FPN blocks. Defaults to
            ``dict(type='LN2d')``.
        act_cfg (dict, optional): Activation after the 3x3 convolutions.
            Defaults to ``dict(type='GELU')``.
        fpn_norm_cfg (dict, optional): ``norm_cfg`` of the plain FPN.
            Defaults to None (mmseg's FPN default).
        align_corners (bool): Of the bilinear alignment. Defaults to False.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 out_channels: Sequence[int],
                 channels: int = 256,
                 in_index: Optional[Sequence[int]] = None,
                 bidirectional: bool = True,
                 input_scales: Optional[Sequence[float]] = None,
                 norm_cfg: dict = dict(type='LN2d'),
                 act_cfg: Optional[dict] = dict(type='GELU'),
                 fpn_norm_cfg: OptConfigType = None,
                 align_corners: bool = False,
                 init_cfg: OptMultiConfig = None):
        super().__init__(init_cfg=init_cfg)
        self.in_channels = list(in_channels)
        self.in_index = list(range(len(self.in_channels))) \
            if in_index is None else list(in_index)
        if not self.in_index or any(
                i < 0 or i >= len(self.in_channels) for i in self.in_index):
            raise ValueError(
                f'MSFFPN: in_index {in_index} must select backbone outputs '
                f'0..{len(self.in_channels) - 1}')
        self.out_channels = list(out_channels)
        num_in, num_out = len(self.in_index), len(self.out_channels)
        if not 1 <= num_out <= num_in:
            raise ValueError(
                f'MSFFPN: {len(self.out_channels)} out_channels for {num_in} '
                'selected inputs; give between 1 and as many outputs as '
                'inputs')
        if input_scales is not None and len(input_scales) != num_in:
            raise ValueError(f'MSFFPN: input_scales {input_scales} needs one '
                             f'factor per selected input ({num_in})')
        self.input_scales = None if input_scales is None else [
            float(s) for s in input_scales
        ]
        self.channels = channels
        self.bidirectional = bidirectional
        self.align_corners = align_corners
        selected = [self.in_channels[i] for i in self.in_index]
        if bidirectional:
            self.lateral_convs = nn.ModuleList(
                _conv_block(c, channels, 1, 1, norm_cfg, None)
                for c in selected)
            self.up_convs = nn.ModuleList(
                nn.ConvTranspose2d(channels, channels, 2, stride=2)
                for _ in range(num_in - 1))
            self.smooth_convs = nn.ModuleList(
                _conv_block(channels, channels, 3, 1, norm_cfg, act_cfg)
                for _ in range(num_out))
            self.down_convs = nn.ModuleList(
                _conv_block(channels, channels, 3, 2, norm_cfg, act_cfg)
                for _ in range(num_out - 1))
        else:
            self.fpn = FPN(
                in_channels=selected,
                out_channels=channels,
                num_outs=num_in,
                norm_cfg=fpn_norm_cfg)
            # levels above the outputs only feed the top-down path: their
            # 3x3 output convs would be parameters without gradients
            for k in range(num_out, num_in):
                self.fpn.fpn_convs[k] = nn.Identity()
        self.out_convs = nn.ModuleList(
            nn.Conv2d(channels, c, 1) for c in self.out_channels)

    def _align(self, x: Tensor, like: Tensor) -> Tensor:
        """Bilinear interpolation of ``x`` to the size of ``like``."""
        if x.shape[2:] == like.shape[2:]:
            return x
        return resize(
            x,
            size=like.shape[2:],
            mode='bilinear',
            align_corners=self.align_corners)

    def _select(self, inputs: Sequence[Tensor]) -> List[Tensor]:
        if len(inputs) != len(self.in_channels):
            raise ValueError(f'MSFFPN expects {len(self.in_channels)} '
                             f'backbone outputs, got {len(inputs)}')
        feats = [inputs[i] for i in self.in_index]
        for i, feat in zip(self.in_index, feats):
            if feat.shape[1] != self.in_channels[i]:
                raise ValueError(
                    f'MSFFPN: backbone output {i} has {feat.shape[1]} '
                    f'channels, in_channels says {self.in_channels[i]}')
        if self.input_scales is not None:
            feats = [
                f if s == 1 else resize(
                    f,
                    scale_factor=s,
                    mode='bilinear',
                    align_corners=self.align_corners)
                for f, s in zip(feats, self.input_scales)
            ]
        return feats

    def forward(self, inputs: Sequence[Tensor]) -> List[Tensor]:
        """Fuse the stages; returns ``len(out_channels)`` maps, highest
        resolution first, ``(N, out_channels[i], H_i, W_i)``."""
        feats = self._select(inputs)
        if not self.bidirectional:
            fused = list(self.fpn(feats))
        else:
            lateral = [conv(f) for conv, f in zip(self.lateral_convs, feats)]
            top_down = [None] * len(lateral)
            top_down[-1] = lateral[-1]
            for i in range(len(lateral) - 2, -1, -1):
                up = self.up_convs[i](top_down[i + 1])
                top_down[i] = lateral[i] + self._align(up, lateral[i])
            # only the output levels are smoothed and propagated bottom-up
            smooth = [
                conv(t) for conv, t in zip(self.smooth_convs, top_down)
            ]
            fused = [smooth[0]]
            for i in range(1, len(smooth)):
                down = self.down_convs[i - 1](fused[i - 1])
                fused.append(smooth[i] + self._align(down, smooth[i]))
        return [conv(f) for conv, f in zip(self.out_convs, fused)]

"""Coordinate attention (the "HA"/"VA" branches of CADNet's decoder)."""
import torch
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.utils import ConfigType, OptMultiConfig
from torch import Tensor

from .channel_attention import apply_init_mode, check_init_mode


class CoordinateAttention(BaseModule):
    """Coordinate attention (Hou et al., CVPR 2021) for any spatial size.

    The input is average-pooled along the width (one descriptor per row) and
    along the height (one per column); both descriptors go through a shared
    1x1 convolution with bias, a norm layer and h-swish, then through two
    separate 1x1 convolutions with sigmoid, giving the horizontal ``a_h``
    ``(N, C, H, 1)`` and vertical ``a_w`` ``(N, C, 1, W)`` attention.  The
    output is ``x * a_h * a_w`` (no residual).  These are the ``HA`` and
    ``VA`` terms of CADNet's Eq. 12.

    The authors' ``CoordAtt`` pools to a hard-coded 128x128, so it only works
    on 512x512 network inputs; here the pooling is a mean over the real
    width / height, which is identical at 128x128 and works at any size.
    Their ``groups=4`` argument is the reduction used here:
    ``mid = max(min_channels, in_channels // reduction)``, e.g. 64 for 256
    channels, giving 49,856 parameters (with a BatchNorm).

    Args:
        in_channels (int): Number of input and output channels.
        reduction (int): Channel reduction of the shared convolution.
            Defaults to 4.
        min_channels (int): Lower bound of the reduced channels. Defaults
            to 8.
        norm_cfg (dict): Norm layer after the shared convolution. Defaults to
            ``dict(type='BN')``.
        act_cfg (dict): Activation after the norm. Defaults to
            ``dict(type='HSwish')``.
        init_mode (str): ``'pytorch'`` (the authors' plain ``nn.Conv2d``
            init: kaiming-uniform weights with ``a = sqrt(5)`` and uniform
            biases in ``+-1 / sqrt(fan_in)``) or ``'kaiming'`` (mmcv
            ``ConvModule``: kaiming-normal fan-out weights, zero biases).
            Norm layers are weight 1, bias 0 either way. Defaults to
            ``'pytorch'``.
        init_cfg (dict or list[dict], optional): Initialization config.

    Shape:
        - Input: ``(N, C, H, W)``.
        - Output: ``(N, C, H, W)``.
    """

    def __init__(self,
                 in_channels: int,
                 reduction: int = 4,
                 min_channels: int = 8,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='HSwish'),
                 init_mode: str = 'pytorch',
                 init_cfg: OptMultiConfig = None):
        super().__init__(init_cfg)
        self.init_mode = check_init_mode(init_mode)
        mid = max(min_channels, in_channels // reduction)
        self.shared = ConvModule(
            in_channels, mid, 1, bias=True, norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.conv_h = ConvModule(
            mid, in_channels, 1, act_cfg=dict(type='Sigmoid'))
        self.conv_w = ConvModule(
            mid, in_channels, 1, act_cfg=dict(type='Sigmoid'))
        apply_init_mode(self)

    def init_weights(self):
        """mmcv's init of the convs, undone for ``init_mode='pytorch'``."""
        super().init_weights()
        apply_init_mode(self)

    def forward(self, x: Tensor) -> Tensor:
        """Return ``x * a_h * a_w``, same shape as ``x``."""
        h, w = x.shape[2:]
        pooled_h = x.mean(dim=3, keepdim=True)
        pooled_w = x.mean(dim=2, keepdim=True).transpose(2, 3)
        y = self.shared(torch.cat([pooled_h, pooled_w], dim=2))
        y_h, y_w = y.split([h, w], dim=2)
        a_h = self.conv_h(y_h)
        a_w = self.conv_w(y_w.transpose(2, 3))
        return x * a_h * a_w

"""Channel attention (the "CA" branch of CADNet's change-aware decoder)."""
import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.utils import OptMultiConfig
from torch import Tensor


class ChannelAttention(BaseModule):
    """CBAM-style channel attention that returns the attention weights.

    ``sigmoid(MLP(avgpool(x)) + MLP(maxpool(x)))``, where the shared ``MLP``
    is two bias-free 1x1 convolutions ``C -> C // ratio -> C`` with a ReLU in
    between.  This is the ``CA`` term of CADNet's change-aware decoder (paper
    Eq. 12 and 13) as the authors coded it (``ChannelAttention`` in their
    ``threedAttention.py``): ``2 * C * (C // ratio)`` parameters, e.g. 131,072
    for ``C = 1024`` and ``ratio = 16``.

    Args:
        in_channels (int): Number of channels ``C``.
        ratio (int): Channel reduction ratio of the shared MLP. Defaults to 16.
        init_cfg (dict or list[dict], optional): Initialization config.

    Shape:
        - Input: ``(N, C, H, W)``.
        - Output: ``(N, C, 1, 1)``, weights in ``(0, 1)``.
    """

    def __init__(self,
                 in_channels: int,
                 ratio: int = 16,
                 init_cfg: OptMultiConfig = None):
        super().__init__(init_cfg)
        if in_channels // ratio < 1:
            raise ValueError(f'in_channels={in_channels} is smaller than '
                             f'ratio={ratio}')
        hidden = in_channels // ratio
        self.mlp = nn.Sequential(
            ConvModule(in_channels, hidden, 1, bias=False),
            ConvModule(hidden, in_channels, 1, bias=False, act_cfg=None))

    def forward(self, x: Tensor) -> Tensor:
        """Return channel attention weights of shape ``(N, C, 1, 1)``."""
        avg = self.mlp(x.mean(dim=(2, 3), keepdim=True))
        peak = self.mlp(x.amax(dim=(2, 3), keepdim=True))
        return torch.sigmoid(avg + peak)

"""Channel attention (the "CA" branch of CADNet's change-aware decoder)."""
import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.utils import OptMultiConfig
from torch import Tensor

INIT_MODES = ('pytorch', 'kaiming')


def check_init_mode(init_mode: str) -> str:
    """Return ``init_mode`` if it is one of :data:`INIT_MODES`."""
    if init_mode not in INIT_MODES:
        raise ValueError(
            f'init_mode must be one of {INIT_MODES}, got {init_mode!r}')
    return init_mode


def apply_init_mode(module: nn.Module) -> None:
    """With ``module.init_mode == 'pytorch'``, give every conv and norm
    layer in ``module`` PyTorch's default init (``reset_parameters``),
    undoing mmcv ``ConvModule``'s kaiming init; else leave it."""
    if module.init_mode != 'pytorch':
        return
    for layer in module.modules():
        if isinstance(layer, (nn.modules.conv._ConvNd,
                              nn.modules.batchnorm._NormBase, nn.GroupNorm,
                              nn.LayerNorm)):
            layer.reset_parameters()


class ChannelAttention(BaseModule):
    """CBAM-style channel attention that returns the attention weights.

    ``sigmoid(MLP(avgpool(x)) + MLP(maxpool(x)))``, where the shared ``MLP``
    is two bias-free 1x1 convolutions ``C -> C // ratio -> C`` with a ReLU in
    between.  This is the ``CA`` term of CADNet's change-aware decoder (paper
    Eq. 12 and 13) as the authors coded it (``ChannelAttention`` in their
    ``threedAttention.py``): ``2 * C * (C // ratio)`` parameters, e.g. 131,072
    for ``C = 1024`` and ``ratio = 16``.

    Initialisation: the authors' block is plain ``nn.Conv2d`` with PyTorch's
    default init (``init_mode='pytorch'``, the default: kaiming-uniform with
    ``a = sqrt(5)``, weight std ``1 / sqrt(3 * fan_in)``, 0.018 for the
    first layer at ``C = 1024``).  ``init_mode='kaiming'`` keeps mmcv
    ``ConvModule``'s kaiming-normal fan-out init (std ``sqrt(2 / fan_out)``,
    0.177 there).

    Args:
        in_channels (int): Number of channels ``C``.
        ratio (int): Channel reduction ratio of the shared MLP. Defaults to 16.
        init_mode (str): ``'pytorch'`` or ``'kaiming'`` (see above). Defaults
            to ``'pytorch'``.
        init_cfg (dict or list[dict], optional): Initialization config.

    Shape:
        - Input: ``(N, C, H, W)``.
        - Output: ``(N, C, 1, 1)``, weights in ``(0, 1)``.
    """

    def __init__(self,
                 in_channels: int,
                 ratio: int = 16,
                 init_mode: str = 'pytorch',
                 init_cfg: OptMultiConfig = None):
        super().__init__(init_cfg)
        self.init_mode = check_init_mode(init_mode)
        if in_channels // ratio < 1:
            raise ValueError(f'in_channels={in_channels} is smaller than '
                             f'ratio={ratio}')
        hidden = in_channels // ratio
        self.mlp = nn.Sequential(
            ConvModule(in_channels, hidden, 1, bias=False),
            ConvModule(hidden, in_channels, 1, bias=False, act_cfg=None))
        apply_init_mode(self)

    def init_weights(self):
        """The children's (kaiming) init, then :func:`apply_init_mode`."""
        super().init_weights()
        apply_init_mode(self)

    def forward(self, x: Tensor) -> Tensor:
        """Return channel attention weights of shape ``(N, C, 1, 1)``."""
        return self.from_pooled(
            x.mean(dim=(2, 3), keepdim=True),
            x.amax(dim=(2, 3), keepdim=True))

    def from_pooled(self, avg: Tensor, peak: Tensor) -> Tensor:
        """The weights from already pooled ``(N, C, 1, 1)`` averages and
        maxima (lets a caller pool channel groups without concatenating
        them)."""
        return torch.sigmoid(self.mlp(avg) + self.mlp(peak))

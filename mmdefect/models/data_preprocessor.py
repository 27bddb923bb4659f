"""Data pre-processor for paired (inspected + reference) 6-channel inputs."""
from typing import Any, Dict, List, Optional, Sequence

import torch
from mmseg.models.data_preprocessor import SegDataPreProcessor
from mmseg.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class PairedSegDataPreProcessor(SegDataPreProcessor):
    """Normalise, convert colour order and pad paired 6-channel inputs.

    Configured exactly like mmseg's ``SegDataPreProcessor``; ``mean``/``std`` and
    ``bgr_to_rgb``/``rgb_to_bgr`` are given for **one** image and applied to both
    halves, so channels 0-2 (inspected) and 3-5 (reference) are normalised
    identically.  Padding to ``size``/``size_divisor`` pads both halves with
    ``pad_val`` and the label with ``seg_pad_val`` (mmseg's ``stack_batch``).

    In training without ``size`` and ``size_divisor`` (mmseg asserts that
    one is given), the batch is padded to its largest height and width.

    Unlike mmseg 1.x, where ``batch_augments`` is stored but never built,
    ``batch_augments`` here is a list of MODELS configs (or callables) that take
    and return ``(inputs, data_samples)``; they run in training only.

    Args:
        in_channels (int): Channels of one image. Defaults to 3.
        Other arguments: see :class:`mmseg.models.SegDataPreProcessor`.
    """

    def __init__(self,
                 mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None,
                 size: Optional[tuple] = None,
                 size_divisor: Optional[int] = None,
                 pad_val: float = 0,
                 seg_pad_val: int = 255,
                 bgr_to_rgb: bool = False,
                 rgb_to_bgr: bool = False,
                 batch_augments: Optional[List[Any]] = None,
                 test_cfg: Optional[dict] = None,
                 in_channels: int = 3):
        super().__init__(
            mean=mean,
            std=std,
            size=size,
            size_divisor=size_divisor,
            pad_val=pad_val,
            seg_pad_val=seg_pad_val,
            bgr_to_rgb=bgr_to_rgb,
            rgb_to_bgr=rgb_to_bgr,
            test_cfg=test_cfg)
        self.in_channels = in_channels
        if self._enable_normalize:
            self.register_buffer('mean', self._per_pair(self.mean), False)
            self.register_buffer('std', self._per_pair(self.std), False)
        self.batch_augments = [
            MODELS.build(aug) if isinstance(aug, dict) else aug
            for aug in (batch_augments or [])
        ]

    def _per_pair(self, stat: Tensor) -> Tensor:
        """Repeat a per-image statistic for both halves of the pair."""
        stat = stat.view(-1)
        if stat.numel() == 1:
            stat = stat.repeat(self.in_channels)
        return torch.cat([stat, stat]).view(-1, 1, 1)

    def _check_and_swap(self, inputs: List[Tensor]) -> List[Tensor]:
        expected = 2 * self.in_channels
        for idx, item in enumerate(inputs):
            if item.dim() != 3 or item.shape[0] != expected:
                raise ValueError(
                    f'PairedSegDataPreProcessor expects each input to be a '
                    f'({expected}, H, W) tensor (channels 0-'
                    f'{self.in_channels - 1} inspected, '
                    f'{self.in_channels}-{expected - 1} reference) as '
                    f'produced by PackPairedSegInputs, but input {idx} has '
                    f'shape {tuple(item.shape)}.')
        if self._channel_conversion and self.in_channels == 3:
            order = [2, 1, 0, 5, 4, 3]
            inputs = [item[order, ...] for item in inputs]
        return inputs

    def forward(self, data: dict, training: bool = False) -> Dict[str, Any]:
        """Normalise and pad a batch; run batch augments in training."""
        data = self.cast_data(data)
        data['inputs'] = self._check_and_swap(list(data['inputs']))
        batch_augments, self.batch_augments = self.batch_augments, None
        size = self.size
        if training and self.size is None and self.size_divisor is None:
            self.size = (max(item.shape[1] for item in data['inputs']),
                         max(item.shape[2] for item in data['inputs']))
        try:
            out = super().forward(data, training)
        finally:
            self.batch_augments = batch_augments
            self.size = size
        if training:
            for aug in self.batch_augments:
                out['inputs'], out['data_samples'] = aug(
                    out['inputs'], out['data_samples'])
        return out

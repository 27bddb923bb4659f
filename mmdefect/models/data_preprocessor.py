"""Data pre-processor for paired (inspected + reference) 6-channel inputs."""
from typing import Any, Dict, List, Optional, Sequence

import torch
from mmseg.models.data_preprocessor import SegDataPreProcessor
from mmseg.registry import MODELS
from mmseg.utils import stack_batch
from torch import Tensor

from .utils.pair_inputs import check_pair_tensor


@MODELS.register_module()
class PairedSegDataPreProcessor(SegDataPreProcessor):
    """Normalise, convert colour order and pad paired 6-channel inputs.

    Configured exactly like mmseg's ``SegDataPreProcessor``; ``mean``/``std``
    and ``bgr_to_rgb``/``rgb_to_bgr`` are given for **one** image and applied
    to both halves, so channels 0-2 (inspected) and 3-5 (reference) are
    normalised identically.  Padding to ``size``/``size_divisor`` pads both
    halves with ``pad_val`` and the label with ``seg_pad_val`` (mmseg's
    ``stack_batch``).

    In training without ``size`` and ``size_divisor`` (mmseg asserts that
    one is given), the batch is padded to its largest height and width.
    The batch is stacked here with mmseg's ``stack_batch``, as mmseg's
    ``forward`` does, so nothing of the configuration changes during a call.

    Unlike mmseg 1.x, where ``batch_augments`` is stored but never built,
    ``batch_augments`` here is a list of MODELS configs (or callables) that
    take and return ``(inputs, data_samples)``; they run in training only.

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
        for idx, item in enumerate(inputs):
            check_pair_tensor(
                item,
                self.in_channels,
                owner='PairedSegDataPreProcessor',
                batched=False,
                hint='Pack the samples with PackPairedSegInputs.',
                index=idx)
        if self._channel_conversion and self.in_channels == 3:
            order = [2, 1, 0, 5, 4, 3]
            inputs = [item[order, ...] for item in inputs]
        return inputs

    def _pad(self, inputs: List[Tensor], data_samples: Optional[list],
             size: Optional[tuple], size_divisor: Optional[int]):
        """mmseg's ``stack_batch`` with this pre-processor's pad values."""
        return stack_batch(
            inputs=inputs,
            data_samples=data_samples,
            size=size,
            size_divisor=size_divisor,
            pad_val=self.pad_val,
            seg_pad_val=self.seg_pad_val)

    def forward(self, data: dict, training: bool = False) -> Dict[str, Any]:
        """Normalise and pad a batch; run batch augments in training."""
        data = self.cast_data(data)
        inputs = self._check_and_swap(list(data['inputs']))
        data_samples = data.get('data_samples', None)
        inputs = [item.float() for item in inputs]
        if self._enable_normalize:
            inputs = [(item - self.mean) / self.std for item in inputs]
        if training:
            if data_samples is None:
                raise ValueError('PairedSegDataPreProcessor: training needs '
                                 'data_samples (the labels).')
            size, size_divisor = self.size, self.size_divisor
            if size is None and size_divisor is None:
                size = (max(item.shape[1] for item in inputs),
                        max(item.shape[2] for item in inputs))
            inputs, data_samples = self._pad(inputs, data_samples, size,
                                             size_divisor)
            for aug in self.batch_augments:
                inputs, data_samples = aug(inputs, data_samples)
            return dict(inputs=inputs, data_samples=data_samples)
        shapes = {tuple(item.shape[1:]) for item in inputs}
        if len(shapes) > 1:
            raise ValueError(
                f'PairedSegDataPreProcessor: the images of a test batch must '
                f'have one size, got {sorted(shapes)}; use batch size 1 or '
                f'resize in the pipeline.')
        if self.test_cfg:
            inputs, pad_infos = self._pad(
                inputs, None, self.test_cfg.get('size', None),
                self.test_cfg.get('size_divisor', None))
            for sample, pad_info in zip(data_samples or [], pad_infos):
                sample.set_metainfo({**pad_info})
        else:
            inputs = torch.stack(inputs, dim=0)
        return dict(inputs=inputs, data_samples=data_samples)

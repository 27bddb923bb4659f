"""Encoder-decoder segmentor for an inspected image and its reference."""
import copy
from typing import List, Optional, Sequence, Union

import torch
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from mmseg.utils import ConfigType, OptConfigType, OptMultiConfig
from torch import Tensor

from ..utils.siamese_features import SiameseFeatures

Features = Union[List[Tensor], SiameseFeatures]


@MODELS.register_module()
class SiameseEncoderDecoder(EncoderDecoder):
    """Siamese encoder-decoder on 6-channel paired inputs.

    ``inputs`` (from :class:`PairedSegDataPreProcessor`) hold the inspected
    image in channels ``0..C-1`` and its defect-free reference in ``C..2C-1``.
    Both halves are encoded, then handed to the decode head according to
    ``fusion``:

    - ``'pair'``: the head receives one :class:`SiameseFeatures`
      ``(img=[...], ref=[...])``; this is the interface of pair-aware heads
      such as ``CADHead``.
    - ``'diff'``: ``[|f_img - f_ref|]`` per stage, so any stock mmseg head
      (``SegformerHead``, ``FCNHead``, ...) becomes a Siamese baseline.
    - ``'concat'``: ``[cat(f_img, f_ref)]`` per stage (the head's
      ``in_channels`` must be doubled).
    - ``'img_only'``: the reference is ignored (single-image baseline on the
      paired data path).

    Branches: by default one backbone is shared (weights tied; both images run
    in one batched forward, as in the CADNet authors' code).  ``ref_backbone``
    gives the reference its own encoder; with ``frozen=True`` in its config it
    stays in eval mode, has ``requires_grad=False`` and runs under
    ``torch.no_grad`` so neither weights nor BN statistics ever change.
    ``neck`` is applied to the inspected branch, and also to the reference when
    the backbone is shared and no ``ref_neck`` is given; ``ref_neck`` is the
    reference branch's own neck.

    Whole and slide inference come from :class:`EncoderDecoder`: slide
    inference crops the 6-channel tensor, so both images get the same window.

    Args:
        fusion (str): one of ``'pair'``, ``'diff'``, ``'concat'``,
            ``'img_only'``. Defaults to ``'diff'``.
        ref_backbone (dict, optional): config of the reference encoder; the
            extra key ``frozen`` (bool) freezes it.
        ref_neck (dict, optional): config of the reference branch's neck.
        in_channels (int): channels of one image. Defaults to 3.
        Other arguments: see :class:`mmseg.models.EncoderDecoder`.
    """

    FUSIONS = ('pair', 'diff', 'concat', 'img_only')

    def __init__(self,
                 backbone: ConfigType,
                 decode_head: ConfigType,
                 neck: OptConfigType = None,
                 ref_backbone: OptConfigType = None,
                 ref_neck: OptConfigType = None,
                 fusion: str = 'diff',
                 in_channels: int = 3,
                 auxiliary_head: OptConfigType = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 pretrained: Optional[str] = None,
                 init_cfg: OptMultiConfig = None):
        if fusion not in self.FUSIONS:
            raise ValueError(f'SiameseEncoderDecoder: fusion must be one of '
                             f'{self.FUSIONS}, got {fusion!r}.')
        super().__init__(
            backbone=backbone,
            decode_head=decode_head,
            neck=neck,
            auxiliary_head=auxiliary_head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            pretrained=pretrained,
            init_cfg=init_cfg)
        self.fusion = fusion
        self.in_channels = in_channels
        self.ref_frozen = False
        if ref_backbone is not None:
            ref_backbone = copy.deepcopy(ref_backbone)
            self.ref_frozen = bool(ref_backbone.pop('frozen', False))
            self.ref_backbone = MODELS.build(ref_backbone)
            if self.ref_frozen:
                self.ref_backbone.requires_grad_(False)
                self.ref_backbone.eval()
        if ref_neck is not None:
            self.ref_neck = MODELS.build(ref_neck)

    @property
    def with_ref_backbone(self) -> bool:
        return getattr(self, 'ref_backbone', None) is not None

    @property
    def with_ref_neck(self) -> bool:
        return getattr(self, 'ref_neck', None) is not None

    def train(self, mode: bool = True):
        """Set train/eval mode; a frozen reference encoder stays in eval."""
        super().train(mode)
        if self.ref_frozen:
            self.ref_backbone.eval()
        return self

    def init_weights(self):
        """Initialise weights without touching a frozen reference encoder's
        ``requires_grad`` flags."""
        super().init_weights()
        if self.ref_frozen:
            self.ref_backbone.requires_grad_(False)

    def split_inputs(self, inputs: Tensor) -> Sequence[Tensor]:
        """Split ``(N, 2C, H, W)`` into the inspected and reference halves."""
        expected = 2 * self.in_channels
        if inputs.dim() != 4 or inputs.shape[1] != expected:
            raise ValueError(
                f'SiameseEncoderDecoder expects paired inputs of shape '
                f'(N, {expected}, H, W) (inspected image in channels '
                f'0-{self.in_channels - 1}, reference in '
                f'{self.in_channels}-{expected - 1}), got '
                f'{tuple(inputs.shape)}. Use PackPairedSegInputs and '
                f'PairedSegDataPreProcessor, or EncoderDecoder for '
                f'single-image data.')
        return inputs[:, :self.in_channels], inputs[:, self.in_channels:]

    def extract_pair_feat(self, inputs: Tensor) -> SiameseFeatures:
        """Encode both images and return their multi-stage features."""
        img, ref = self.split_inputs(inputs)
        if self.with_ref_backbone:
            img_feats = list(self.backbone(img))
            if self.ref_frozen:
                with torch.no_grad():
                    ref_feats = list(self.ref_backbone(ref))
            else:
                ref_feats = list(self.ref_backbone(ref))
        else:
            num = img.shape[0]
            both = self.backbone(torch.cat([img, ref], dim=0))
            img_feats = [feat[:num] for feat in both]
            ref_feats = [feat[num:] for feat in both]
        if self.with_neck:
            img_feats = list(self.neck(img_feats))
            if not self.with_ref_backbone and not self.with_ref_neck:
                ref_feats = list(self.neck(ref_feats))
        if self.with_ref_neck:
            ref_feats = list(self.ref_neck(ref_feats))
        return SiameseFeatures(img=img_feats, ref=ref_feats)

    def extract_feat(self, inputs: Tensor) -> Features:
        """Features for the decode head, fused according to ``fusion``."""
        if self.fusion == 'img_only':
            img, _ = self.split_inputs(inputs)
            feats = self.backbone(img)
            return list(self.neck(feats)) if self.with_neck else list(feats)
        pair = self.extract_pair_feat(inputs)
        if self.fusion == 'pair':
            return pair
        if len(pair.img) != len(pair.ref) or any(
                a.shape != b.shape for a, b in zip(pair.img, pair.ref)):
            raise ValueError(
                f'fusion={self.fusion!r} needs reference features shaped like '
                f'the inspected ones, got '
                f'{[tuple(f.shape) for f in pair.img]} vs '
                f'{[tuple(f.shape) for f in pair.ref]}; use fusion="pair" with '
                f'a pair-aware head or add a ref_neck.')
        if self.fusion == 'diff':
            return [(a - b).abs() for a, b in zip(pair.img, pair.ref)]
        return [torch.cat([a, b], dim=1) for a, b in zip(pair.img, pair.ref)]

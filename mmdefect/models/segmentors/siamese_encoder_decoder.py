"""Encoder-decoder segmentor for an inspected image and its reference."""
import copy
from typing import List, Optional, Sequence, Union

import torch
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from mmseg.utils import (ConfigType, OptConfigType, OptMultiConfig,
                         OptSampleList, SampleList)
from torch import Tensor

from ..utils.pair_inputs import check_pair_tensor
from ..utils.reference_features import ReferenceFeatures
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
    - ``'early'``: early fusion: the backbone sees the whole ``(N, 2C, H, W)``
      pair (its ``in_channels`` must be ``2C``), so its first layer can
      compare the two images pixel by pixel, sign included (the FC-EF
      change-detection baseline of Daudt et al., ICIP 2018). There is one
      encoding of the pair, hence no reference-feature cache.

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

    FUSIONS = ('pair', 'diff', 'concat', 'img_only', 'early')

    #: takes paired inputs (see :func:`mmdefect.utils.is_paired_model`)
    paired_input = True

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
    def caches_reference(self) -> bool:
        """Whether :meth:`encode_reference` applies (not to early fusion,
        which encodes the pair in one pass)."""
        return self.fusion != 'early'

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

    def postprocess_result(self,
                           seg_logits: Tensor,
                           data_samples: OptSampleList = None) -> SampleList:
        """mmseg's post-processing, or anomaly maps for anomaly heads.

        A decode head with ``out_anomaly_map = True`` (e.g. ``CATHead``)
        returns a one-channel anomaly map instead of logits.  It is written
        to each sample as ``anomaly_map`` (PixelData ``(1, H, W)`` float32
        at the original input size: padding cropped, flip undone, resized
        like mmseg's ``postprocess_result``) with ``pred_sem_seg =
        anomaly_map >= test_cfg.threshold`` (default: the head's
        ``threshold``); a calibrated threshold is applied by the inferencer
        and the metrics.  Other heads get mmseg's ``seg_logits`` and
        ``pred_sem_seg``.
        """
        if not getattr(self.decode_head, 'out_anomaly_map', False):
            return super().postprocess_result(seg_logits, data_samples)
        from ..utils.anomaly_postprocess import restore_anomaly_maps
        threshold = (self.test_cfg or {}).get('threshold',
                                              self.decode_head.threshold)
        return restore_anomaly_maps(
            seg_logits,
            data_samples,
            threshold=threshold,
            align_corners=self.align_corners)

    def init_weights(self):
        """Initialise weights without touching a frozen reference encoder's
        ``requires_grad`` flags."""
        super().init_weights()
        if self.ref_frozen:
            self.ref_backbone.requires_grad_(False)

    def split_inputs(self, inputs: Tensor) -> Sequence[Tensor]:
        """Split ``(N, 2C, H, W)`` into the inspected and reference halves."""
        check_pair_tensor(
            inputs,
            self.in_channels,
            owner='SiameseEncoderDecoder',
            hint='Use PackPairedSegInputs and PairedSegDataPreProcessor, or '
            'EncoderDecoder for single-image data.')
        return inputs[:, :self.in_channels], inputs[:, self.in_channels:]

    def _encode_inspected(self, img: Tensor) -> List[Tensor]:
        """Backbone (and neck) features of the inspected images alone."""
        feats = list(self.backbone(img))
        return list(self.neck(feats)) if self.with_neck else feats

    def _ref_neck_feats(self, feats: List[Tensor]) -> List[Tensor]:
        """The reference branch's neck: ``ref_neck``, else the shared neck
        when the backbone is shared too, else none."""
        if self.with_ref_neck:
            return list(self.ref_neck(feats))
        if self.with_neck and not self.with_ref_backbone:
            return list(self.neck(feats))
        return feats

    def _encode_references(self, ref: Tensor) -> List[Tensor]:
        """Reference-branch features of reference images alone."""
        if not self.with_ref_backbone:
            feats = list(self.backbone(ref))
        elif self.ref_frozen:
            with torch.no_grad():
                feats = list(self.ref_backbone(ref))
        else:
            feats = list(self.ref_backbone(ref))
        return self._ref_neck_feats(feats)

    def extract_pair_feat(self, inputs: Tensor) -> SiameseFeatures:
        """Encode both images and return their multi-stage features."""
        img, ref = self.split_inputs(inputs)
        if self.with_ref_backbone:
            return SiameseFeatures(
                img=self._encode_inspected(img),
                ref=self._encode_references(ref))
        num = img.shape[0]
        both = self.backbone(torch.cat([img, ref], dim=0))
        img_feats = [feat[:num] for feat in both]
        ref_feats = [feat[num:] for feat in both]
        if self.with_neck:
            img_feats = list(self.neck(img_feats))
        return SiameseFeatures(
            img=img_feats, ref=self._ref_neck_feats(ref_feats))

    def encode_reference(self, ref_inputs: Tensor) -> ReferenceFeatures:
        """Encode reference images once, to inspect many images against them.

        The reference-feature cache: the result goes to ``predict``,
        ``encode_decode`` or ``extract_feat`` as ``ref_feats``, which then
        encode only the inspected images.  Predictions equal those of the
        paired path (up to float rounding of the batched backbone pass).

        Args:
            ref_inputs (Tensor): Preprocessed references ``(M, C, H, W)``, or
                paired inputs ``(M, 2C, H, W)`` (as the data preprocessor
                returns them) whose reference half is taken.  ``M = 1``
                serves any batch; otherwise one reference per image.

        Returns:
            ReferenceFeatures: The reference branch's multi-stage features
            (empty for ``fusion='img_only'``, which ignores the reference).
        """
        self._check_caches_reference()
        ref = self._reference_half(ref_inputs)
        feats = ([] if self.fusion == 'img_only' else
                 self._encode_references(ref))
        return ReferenceFeatures(
            feats=feats, input_shape=tuple(int(s) for s in ref.shape[2:]))

    def _check_caches_reference(self) -> None:
        if not self.caches_reference:
            raise ValueError(
                f'fusion={self.fusion!r} encodes the image and its reference '
                f'together, so reference features cannot be cached; call '
                f'predict on the paired inputs')

    def _reference_half(self, inputs: Tensor) -> Tensor:
        """``(M, C, H, W)`` references from C- or 2C-channel inputs."""
        if inputs.dim() == 4 and inputs.shape[1] == self.in_channels:
            return inputs
        return self.split_inputs(inputs)[1]

    def _inspected_half(self, inputs: Tensor,
                        ref_feats: ReferenceFeatures) -> Tensor:
        """``(N, C, H, W)`` inspected images for a cached reference."""
        if inputs.dim() == 4 and inputs.shape[1] == self.in_channels:
            img = inputs
        else:
            img = self.split_inputs(inputs)[0]
        if tuple(img.shape[2:]) != tuple(ref_feats.input_shape):
            raise ValueError(
                f'the inspected images are {tuple(img.shape[2:])} but the '
                f'cached reference was encoded at '
                f'{tuple(ref_feats.input_shape)}; encode the reference at '
                f'the inspected size')
        return img

    def extract_feat(
            self,
            inputs: Tensor,
            ref_feats: Optional[ReferenceFeatures] = None) -> Features:
        """Features for the decode head, fused according to ``fusion``.

        Args:
            inputs (Tensor): Paired inputs ``(N, 2C, H, W)``; with
                ``ref_feats`` also the inspected images ``(N, C, H, W)``
                (the reference half of paired inputs is then ignored).
            ref_feats (ReferenceFeatures, optional): Cached reference
                features from :meth:`encode_reference`.
        """
        if self.fusion == 'early':
            if ref_feats is not None:
                self._check_caches_reference()
            self.split_inputs(inputs)  # checks the pair's channels
            feats = list(self.backbone(inputs))
            return list(self.neck(feats)) if self.with_neck else feats
        if ref_feats is not None:
            img = self._inspected_half(inputs, ref_feats)
            if self.fusion == 'img_only':
                return self._encode_inspected(img)
            pair = SiameseFeatures(
                img=self._encode_inspected(img),
                ref=ref_feats.for_batch(img.shape[0]))
        elif self.fusion == 'img_only':
            return self._encode_inspected(self.split_inputs(inputs)[0])
        else:
            pair = self.extract_pair_feat(inputs)
        if self.fusion == 'pair':
            return pair
        if len(pair.img) != len(pair.ref) or any(
                a.shape != b.shape for a, b in zip(pair.img, pair.ref)):
            raise ValueError(
                f'fusion={self.fusion!r} needs reference features shaped like '
                f'the inspected ones, got '
                f'{[tuple(f.shape) for f in pair.img]} vs '
                f'{[tuple(f.shape) for f in pair.ref]}; use fusion="pair" '
                f'with a pair-aware head or add a ref_neck.')
        if self.fusion == 'diff':
            return [(a - b).abs() for a, b in zip(pair.img, pair.ref)]
        return [torch.cat([a, b], dim=1) for a, b in zip(pair.img, pair.ref)]

    def encode_decode(
            self,
            inputs: Tensor,
            batch_img_metas: List[dict],
            ref_feats: Optional[ReferenceFeatures] = None) -> Tensor:
        """Logits at the input size; ``ref_feats`` as in
        :meth:`extract_feat`."""
        x = self.extract_feat(inputs, ref_feats=ref_feats)
        return self.decode_head.predict(x, batch_img_metas, self.test_cfg)

    def predict(self,
                inputs: Tensor,
                data_samples: OptSampleList = None,
                ref_feats: Optional[ReferenceFeatures] = None) -> SampleList:
        """Predict, optionally against cached reference features.

        Without ``ref_feats`` this is :meth:`EncoderDecoder.predict`. With
        them (from :meth:`encode_reference`) only the inspected images are
        encoded; whole-image inference only (a slide window would need the
        reference features of each window).
        """
        if ref_feats is None:
            return super().predict(inputs, data_samples)
        if self.test_cfg.get('mode', 'whole') != 'whole':
            raise ValueError(
                'cached reference features need test_cfg.mode="whole", got '
                f'{self.test_cfg.get("mode")!r}; run without ref_feats')
        if data_samples is not None:
            batch_img_metas = [sample.metainfo for sample in data_samples]
        else:
            shape = inputs.shape[2:]
            batch_img_metas = [
                dict(
                    ori_shape=shape,
                    img_shape=shape,
                    pad_shape=shape,
                    padding_size=[0, 0, 0, 0])
            ] * inputs.shape[0]
        seg_logits = self.encode_decode(
            inputs, batch_img_metas, ref_feats=ref_feats)
        return self.postprocess_result(seg_logits, data_samples)

"""Classical (non-learned) template-difference segmentor for PCB defects."""
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmseg.models.segmentors import BaseSegmentor
from mmseg.registry import MODELS
from mmseg.utils import (OptConfigType, OptMultiConfig, OptSampleList,
                         SampleList)
from torch import Tensor

from ...datasets.functional.deeppcb import PIN_HOLE
from ..utils.classical_diff import detect_defects, label_log_probs
from ..utils.pair_inputs import check_pair_tensor


@MODELS.register_module()
class ClassicalDiffSegmentor(BaseSegmentor):
    """Rule-based PCB defect segmentor: template difference, morphology,
    connected components and topological rules (no trainable parameters).

    A PCB engineer's first try, for DeepPCB-style pairs of an inspected
    image and its defect-free template.  ``inputs`` (B, 6, H, W) come from
    :class:`PairedSegDataPreProcessor` with no ``mean``/``std`` and
    ``bgr_to_rgb=False``, i.e. raw 0-255 values: channels 0-2 the inspected
    image (BGR), 3-5 the template.  Each image is processed on its own, in
    the unpadded region given by the sample's ``img_padding_size`` /
    ``padding_size`` (as in :meth:`postprocess_result`) or else its
    ``img_shape``.

    Pipeline per pair:

    1. Both images are converted to grayscale and binarised at
       ``binary_threshold``.  Copper is **dark** in DeepPCB (black tracks
       and pads on white; drill holes are white disks in black pads, a
       pin-hole is a white speck in copper): ``copper_dark=True`` makes
       pixels ``<= binary_threshold`` copper; ``False`` takes the bright
       pixels.
    2. Global registration: the template copper is translated by the integer
       shift (at most ``global_shift`` pixels per axis) that minimises the
       number of disagreeing pixels.  Many DeepPCB pairs (group 20085) are
       off by 1-7 pixels.
    3. ``extra`` = copper in the test image and not in the template,
       ``missing`` = copper in the template and not in the test image.  Each
       mask is cleaned by an opening (``open_size`` square) and then a
       closing (``close_size`` square), and components smaller than
       ``min_area`` pixels are dropped.
    4. Local re-alignment: the misalignment is not a pure translation
       (residual shifts of a few pixels leave slivers along copper edges,
       as wide as real defects, so a larger opening is no cure).  For
       every remaining component, in a window of ``window_margin`` pixels
       around it, the template is re-aligned by up to ``local_shift``
       pixels, the difference is recomputed and cleaned, and the recomputed
       components overlapping the candidate (at least ``min_area`` pixels)
       replace it.
    5. Each final 8-connected component gets a type, in the same window with
       the locally re-aligned template:

       - extra copper touching (after a dilation by ``touch_radius``) two
         or more distinct template copper components of the window, or
         leaving the window with fewer test copper pieces than template
         copper pieces (components of at least ``piece_area`` pixels; this
         catches thin bridges whose middle the opening erased): short (2);
         else touching no template copper: spurious copper (5); else spur
         (4);
       - missing copper whose enclosing non-copper region of the test image
         does not reach the window border (a hole in copper): pin-hole (6);
         else, if the window holds more test copper pieces than template
         copper pieces (at least ``piece_area`` pixels each), the cut split
         a conductor: open (1); otherwise mousebite (3).
    6. Confidence of a component of ``a`` pixels:
       ``0.5 + 0.5 * a / (a + confidence_area)``, in (0.5, 1): small blobs
       (typically residual misalignment slivers) rank low, and every
       detected component wins the argmax, so the label map shows exactly
       the detected components.

    Output, as for mmseg segmentors: ``seg_logits`` (B, ``num_classes``,
    H, W) are the log of a per-pixel class distribution (at a component's
    pixels p(type) = confidence, p(background) = 1 - confidence, elsewhere
    p(background) = 1; zeros are raised to ``eps`` and renormalised), so
    the argmax is the label map and ``softmax(seg_logits)`` gives back the
    probabilities.

    Measured detection rates and speed: ``configs/classical/README.md``.
    The rule functions are in :mod:`mmdefect.models.utils.classical_diff`.

    Limitations: the template must show the same board at the same scale
    (translation only: up to ``global_shift`` pixels globally plus
    ``local_shift`` locally); colour, texture and grey-level defects are
    invisible after binarisation; defects thinner than the opening or
    smaller than ``min_area`` are missed (tiny mousebite nicks are most of
    the misses); the rules look at a window only, so a short between two
    conductors that are joined inside the window counts as a spur and an
    open whose pieces stay joined inside the window counts as a mousebite;
    an enlarged drill hole counts as a pin-hole; the rules know only the
    six DeepPCB types, and there is nothing to train (``loss`` raises).

    Args:
        binary_threshold (int): grayscale binarisation threshold.
            Defaults to 127.
        copper_dark (bool): copper is darker than the substrate. Defaults
            to True (DeepPCB).
        open_size (int): side of the opening square. Defaults to 3.
        close_size (int): side of the closing square. Defaults to 3.
        min_area (int): smallest defect component, pixels. Defaults to 8.
        piece_area (int): smallest copper piece counted by the open and
            short rules, pixels. Defaults to 32.
        global_shift (int): largest global misalignment searched, pixels.
            Defaults to 8.
        local_shift (int): largest local re-alignment, pixels (0 disables
            step 4). Defaults to 4.
        window_margin (int): margin of the window around a component for
            re-alignment and rules, pixels. Defaults to 15.
        touch_radius (int): dilation radius of extra copper before counting
            touched template components. Defaults to 2.
        confidence_area (float): component area of confidence 0.75.
            Defaults to 100.
        num_classes (int): channels of ``seg_logits``; at least 7 (class
            ids of DeepPCB: 1 open, 2 short, 3 mousebite, 4 spur,
            5 spurious copper, 6 pin-hole). Defaults to 7.
        eps (float): floor of the probabilities before the log. Defaults
            to 1e-6.
        align_corners (bool): used when :meth:`postprocess_result` resizes
            to ``ori_shape``. Defaults to False.
        data_preprocessor (dict, optional): normally
            ``dict(type='PairedSegDataPreProcessor')`` without mean/std.
        init_cfg (dict, optional): unused (no weights).

    Example::

        model = dict(
            type='ClassicalDiffSegmentor',
            data_preprocessor=dict(type='PairedSegDataPreProcessor'))
    """

    #: takes paired inputs (see :func:`mmdefect.utils.is_paired_model`)
    paired_input = True

    def __init__(self,
                 binary_threshold: int = 127,
                 copper_dark: bool = True,
                 open_size: int = 3,
                 close_size: int = 3,
                 min_area: int = 8,
                 piece_area: int = 32,
                 global_shift: int = 8,
                 local_shift: int = 4,
                 window_margin: int = 15,
                 touch_radius: int = 2,
                 confidence_area: float = 100.,
                 num_classes: int = 7,
                 eps: float = 1e-6,
                 align_corners: bool = False,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None):
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if num_classes < PIN_HOLE + 1:
            raise ValueError(
                f'ClassicalDiffSegmentor: num_classes must be at least '
                f'{PIN_HOLE + 1} (background + the six DeepPCB types), got '
                f'{num_classes}.')
        if min(open_size, close_size, min_area, piece_area) < 1 or \
                min(global_shift, local_shift, window_margin,
                    touch_radius) < 0 or confidence_area <= 0 or \
                not 0 < eps < 1e-2:
            raise ValueError(
                'ClassicalDiffSegmentor: sizes and areas must be >= 1, '
                'shifts, window_margin and touch_radius >= 0, '
                'confidence_area > 0 and 0 < eps < 0.01.')
        self.cfg = dict(
            binary_threshold=binary_threshold,
            copper_dark=copper_dark,
            open_size=open_size,
            close_size=close_size,
            min_area=min_area,
            piece_area=piece_area,
            global_shift=global_shift,
            local_shift=local_shift,
            window_margin=window_margin,
            touch_radius=touch_radius,
            confidence_area=float(confidence_area))
        self.num_classes = num_classes
        self.eps = eps
        self.align_corners = align_corners

    def _check_inputs(self, inputs: Tensor) -> None:
        check_pair_tensor(
            inputs,
            owner='ClassicalDiffSegmentor',
            hint='Raw 0-255 values: PairedSegDataPreProcessor without '
            'mean/std.')

    @staticmethod
    def _valid_region(meta: Optional[dict], height: int,
                      width: int) -> Tuple[slice, slice]:
        """Unpadded region of an input, following :meth:`postprocess_result`
        (``img_padding_size`` or ``padding_size``: left, right, top,
        bottom) or else the top-left ``img_shape``."""
        if not meta:
            return slice(0, height), slice(0, width)
        padding = meta.get('img_padding_size', meta.get('padding_size'))
        if padding is not None:
            left, right, top, bottom = (int(p) for p in padding)
            return slice(top, height - bottom), slice(left, width - right)
        if 'img_shape' in meta:
            img_h, img_w = meta['img_shape'][:2]
            return slice(0, min(height, int(img_h))), \
                slice(0, min(width, int(img_w)))
        return slice(0, height), slice(0, width)

    def encode_decode(self, inputs: Tensor,
                      batch_img_metas: Optional[Sequence[dict]]) -> Tensor:
        """Log class probabilities (N, num_classes, H, W) of a batch.

        Padding (see :meth:`_valid_region`) stays background.
        """
        self._check_inputs(inputs)
        num, _, height, width = inputs.shape
        images = inputs.detach().clamp(0, 255).round().to(torch.uint8).permute(
            0, 2, 3, 1).cpu().numpy()
        background = label_log_probs(
            np.zeros((1, 1), np.uint8), np.zeros((1, 1), np.float32),
            self.num_classes, self.eps)
        out = np.broadcast_to(background[None],
                              (num, self.num_classes, height, width)).copy()
        for i in range(num):
            meta = batch_img_metas[i] if batch_img_metas else None
            rows, cols = self._valid_region(meta, height, width)
            pair = images[i, rows, cols]
            labels, confidence = detect_defects(pair[..., :3], pair[..., 3:],
                                                self.cfg)
            out[i, :, rows, cols] = label_log_probs(labels, confidence,
                                                    self.num_classes, self.eps)
        return torch.from_numpy(out).to(inputs.device)

    def extract_feat(self, inputs: Tensor) -> List[Tensor]:
        """The raw pair: this model has no features."""
        self._check_inputs(inputs)
        return [inputs]

    def _forward(self,
                 inputs: Tensor,
                 data_samples: OptSampleList = None) -> Tensor:
        """Log class probabilities (N, num_classes, H, W)."""
        metas = None if data_samples is None else \
            [sample.metainfo for sample in data_samples]
        return self.encode_decode(inputs, metas)

    def predict(self,
                inputs: Tensor,
                data_samples: OptSampleList = None) -> SampleList:
        """Label maps and log-probabilities through
        :meth:`postprocess_result` (padding removed, flip undone, resized to
        ``ori_shape``)."""
        return self.postprocess_result(
            self._forward(inputs, data_samples), data_samples)

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Not available: the model has nothing to train."""
        raise RuntimeError(
            'ClassicalDiffSegmentor is evaluation-only: it has no trainable '
            'parameters. Run tools/test.py with its config and no '
            'checkpoint instead of training it.')

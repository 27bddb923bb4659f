"""Classical (non-learned) template-difference segmentor for PCB defects."""
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmseg.models.segmentors import BaseSegmentor
from mmseg.registry import MODELS
from mmseg.utils import (OptConfigType, OptMultiConfig, OptSampleList,
                         SampleList)
from torch import Tensor

OPEN, SHORT, MOUSEBITE, SPUR, SPURIOUS_COPPER, PIN_HOLE = 1, 2, 3, 4, 5, 6


def _binary_copper(image: np.ndarray, threshold: int,
                   copper_dark: bool) -> np.ndarray:
    """Boolean copper mask of a BGR (H, W, 3) or grayscale uint8 image."""
    if image.ndim == 3:
        image = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_BGR2GRAY)
    return image <= threshold if copper_dark else image > threshold


def _square(size: int) -> np.ndarray:
    return np.ones((size, size), np.uint8)


def _dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Dilate a boolean mask with a (2 * radius + 1) square."""
    if radius <= 0:
        return mask.copy()
    grown = cv2.dilate(mask.astype(np.uint8), _square(2 * radius + 1))
    return grown > 0


def _clean(mask: np.ndarray, open_size: int, close_size: int,
           min_area: int) -> np.ndarray:
    """Opening, then closing (square kernels; size <= 1 skips the step),
    then removal of 8-connected components smaller than ``min_area``."""
    cleaned = mask.astype(np.uint8)
    if open_size > 1:
        cleaned = cv2.morphologyEx(cleaned, cv2.MORPH_OPEN, _square(open_size))
    if close_size > 1:
        cleaned = cv2.morphologyEx(cleaned, cv2.MORPH_CLOSE,
                                   _square(close_size))
    num, labels, stats, _ = cv2.connectedComponentsWithStats(
        cleaned, connectivity=8)
    keep = np.zeros(num, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_area
    return keep[labels]


def _count_components(mask: np.ndarray, min_area: int) -> int:
    """Number of 8-connected components of at least ``min_area`` pixels."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8)
    return int(np.count_nonzero(stats[1:, cv2.CC_STAT_AREA] >= min_area))


def _window(stats_row: np.ndarray, margin: int,
            shape: Tuple[int, int]) -> Tuple[slice, slice]:
    """Bounding box of a component grown by ``margin``, clipped to shape."""
    x, y, w, h = (int(v) for v in stats_row[:4])
    return (slice(max(0, y - margin), min(shape[0], y + h + margin)),
            slice(max(0, x - margin), min(shape[1], x + w + margin)))


def _shift_candidates(max_shift: int) -> List[Tuple[int, int]]:
    """Integer shifts with |dy|, |dx| <= max_shift, smallest first."""
    shifts = [(dy, dx) for dy in range(-max_shift, max_shift + 1)
              for dx in range(-max_shift, max_shift + 1)]
    return sorted(shifts, key=lambda s: (abs(s[0]) + abs(s[1]), s))


def _register(test_cu: np.ndarray, ref_cu: np.ndarray,
              max_shift: int) -> np.ndarray:
    """Translate the reference copper onto the test copper.

    The integer shift (|dy|, |dx| <= ``max_shift``) minimising the number of
    disagreeing pixels in the image interior is applied; ties go to the
    smallest shift.  Pixels whose source falls outside the reference take
    the test value (no difference there).
    """
    height, width = test_cu.shape
    max_shift = min(max_shift, (min(height, width) - 1) // 2)
    if max_shift <= 0:
        return ref_cu.copy()
    s = max_shift
    inner = test_cu[s:height - s, s:width - s]
    best_cost, best = None, (0, 0)
    for dy, dx in _shift_candidates(s):
        cost = np.count_nonzero(
            inner != ref_cu[s + dy:height - s + dy, s + dx:width - s + dx])
        if best_cost is None or cost < best_cost:
            best_cost, best = cost, (dy, dx)
    dy, dx = best
    aligned = test_cu.copy()
    aligned[max(0, -dy):height - max(0, dy),
            max(0, -dx):width - max(0, dx)] = \
        ref_cu[max(0, dy):height - max(0, -dy),
               max(0, dx):width - max(0, -dx)]
    return aligned


def _local_reference(test_win: np.ndarray, ref_padded: np.ndarray,
                     rows: slice, cols: slice, max_shift: int) -> np.ndarray:
    """Reference window, shifted by up to ``max_shift`` pixels, that agrees
    best with the test window (``ref_padded`` is the reference padded by
    ``max_shift`` on every side; ties go to the smallest shift)."""
    best_cost, best = None, None
    for dy, dx in _shift_candidates(max_shift):
        candidate = ref_padded[rows.start + max_shift + dy:
                               rows.stop + max_shift + dy,
                               cols.start + max_shift + dx:
                               cols.stop + max_shift + dx]
        cost = np.count_nonzero(test_win != candidate)
        if best_cost is None or cost < best_cost:
            best_cost, best = cost, candidate
    return best


def _difference(test_cu: np.ndarray, ref_cu: np.ndarray,
                extra: bool) -> np.ndarray:
    """Extra copper (test, not reference) or missing copper (reference,
    not test)."""
    return test_cu & ~ref_cu if extra else ref_cu & ~test_cu


def _refine(candidates: np.ndarray, test_cu: np.ndarray,
            ref_padded: np.ndarray, extra: bool, cfg: dict) -> np.ndarray:
    """Re-examine each candidate component after local re-alignment.

    In a window around the component the reference is re-aligned by up to
    ``local_shift`` pixels, the difference is recomputed and cleaned, and
    the recomputed components that overlap the candidate and keep at least
    ``min_area`` pixels replace it.  Slivers caused by local (non-rigid)
    misalignment disappear; the real defect inside a sliver stays.
    """
    shift = cfg['local_shift']
    if shift <= 0:
        return candidates
    refined = np.zeros_like(candidates)
    num, labels, stats, _ = cv2.connectedComponentsWithStats(
        candidates.astype(np.uint8), connectivity=8)
    for idx in range(1, num):
        rows, cols = _window(stats[idx], cfg['window_margin'], test_cu.shape)
        test_win = test_cu[rows, cols]
        ref_win = _local_reference(test_win, ref_padded, rows, cols, shift)
        diff = _clean(_difference(test_win, ref_win, extra),
                      cfg['open_size'], cfg['close_size'], 1)
        _, diff_labels, diff_stats, _ = cv2.connectedComponentsWithStats(
            diff.astype(np.uint8), connectivity=8)
        hits = np.unique(diff_labels[(labels[rows, cols] == idx)
                                     & (diff_labels > 0)])
        hits = hits[diff_stats[hits, cv2.CC_STAT_AREA] >= cfg['min_area']]
        refined[rows, cols] |= np.isin(diff_labels, hits)
    return refined


def _classify_extra(blob: np.ndarray, test_win: np.ndarray,
                    ref_win: np.ndarray, touch_radius: int,
                    piece_area: int) -> int:
    """Short, spurious copper or spur for a blob of extra copper.

    Short: the blob, dilated by ``touch_radius``, touches at least two
    distinct reference copper components of the window, or the window holds
    fewer test copper pieces than reference copper pieces (components of at
    least ``piece_area`` pixels: the bridge merged two conductors, even
    where the opening erased its thin middle).  Otherwise spurious copper
    if the blob touches no reference copper, spur if it touches one
    component.
    """
    _, ref_labels = cv2.connectedComponents(
        ref_win.astype(np.uint8), connectivity=8)
    grown = _dilate(blob, touch_radius)
    touched = np.unique(ref_labels[grown & (ref_labels > 0)]).size
    if touched >= 2 or _count_components(test_win, piece_area) < \
            _count_components(ref_win, piece_area):
        return SHORT
    return SPURIOUS_COPPER if touched == 0 else SPUR


def _classify_missing(blob: np.ndarray, test_win: np.ndarray,
                      ref_win: np.ndarray, piece_area: int) -> int:
    """Pin-hole, open or mousebite for a blob of missing copper.

    Pin-hole: the test image's non-copper region(s) containing the blob do
    not reach the window border (they are enclosed by test copper).  Open:
    the window holds more test copper pieces than reference copper pieces
    (components of at least ``piece_area`` pixels, so that copper specks
    left inside a ragged mousebite do not count).  Mousebite: otherwise.
    """
    _, bg_labels = cv2.connectedComponents(
        (~test_win).astype(np.uint8), connectivity=8)
    ids = np.unique(bg_labels[blob & (bg_labels > 0)])
    region = np.isin(bg_labels, ids)
    on_border = (region[0].any() or region[-1].any()
                 or region[:, 0].any() or region[:, -1].any())
    if ids.size and not on_border:
        return PIN_HOLE
    if _count_components(test_win, piece_area) > \
            _count_components(ref_win, piece_area):
        return OPEN
    return MOUSEBITE


def _confidence(area: int, confidence_area: float) -> float:
    """``0.5 + 0.5 * area / (area + confidence_area)``, in (0.5, 1)."""
    return 0.5 + 0.5 * area / (area + confidence_area)


def _detect(test: np.ndarray, ref: np.ndarray,
            cfg: dict) -> Tuple[np.ndarray, np.ndarray]:
    """Defect label map (uint8, 0 = background, 1-6) and per-pixel
    confidence (float32, 0 on background) of one image pair.

    ``test`` and ``ref`` are uint8 BGR (H, W, 3) or grayscale (H, W) images;
    ``cfg`` holds the detection parameters of
    :class:`ClassicalDiffSegmentor` (its ``cfg`` attribute).
    """
    test_cu = _binary_copper(test, cfg['binary_threshold'],
                             cfg['copper_dark'])
    ref_cu = _register(
        test_cu,
        _binary_copper(ref, cfg['binary_threshold'], cfg['copper_dark']),
        cfg['global_shift'])
    shift = cfg['local_shift']
    ref_padded = np.pad(ref_cu, shift, mode='edge')
    labels = np.zeros(test_cu.shape, np.uint8)
    confidence = np.zeros(test_cu.shape, np.float32)
    for extra in (True, False):
        candidates = _clean(_difference(test_cu, ref_cu, extra),
                            cfg['open_size'], cfg['close_size'],
                            cfg['min_area'])
        defects = _refine(candidates, test_cu, ref_padded, extra, cfg)
        num, comp, stats, _ = cv2.connectedComponentsWithStats(
            defects.astype(np.uint8), connectivity=8)
        for idx in range(1, num):
            rows, cols = _window(stats[idx], cfg['window_margin'],
                                 test_cu.shape)
            blob = comp[rows, cols] == idx
            test_win = test_cu[rows, cols]
            ref_win = _local_reference(test_win, ref_padded, rows, cols,
                                       shift)
            if extra:
                cls = _classify_extra(blob, test_win, ref_win,
                                      cfg['touch_radius'], cfg['piece_area'])
            else:
                cls = _classify_missing(blob, test_win, ref_win,
                                        cfg['piece_area'])
            labels[rows, cols][blob] = cls
            confidence[rows, cols][blob] = _confidence(
                int(stats[idx, cv2.CC_STAT_AREA]), cfg['confidence_area'])
    return labels, confidence


def _log_probs(labels: np.ndarray, confidence: np.ndarray, num_classes: int,
               eps: float) -> np.ndarray:
    """(num_classes, H, W) float32 log of the per-pixel class distribution.

    At a defect pixel of class c with confidence q: p(c) = q, p(0) = 1 - q;
    elsewhere p(0) = 1.  Zero probabilities become ``eps`` (q is clipped to
    [eps, 1 - eps]) and every pixel's distribution is divided by its sum,
    so ``softmax`` of the result gives the distribution back.
    """
    defect = labels > 0
    log_sum = np.where(defect, np.log1p((num_classes - 2) * eps),
                       np.log1p((num_classes - 1) * eps)).astype(np.float32)
    out = np.empty((num_classes, ) + labels.shape, np.float32)
    out[:] = np.float32(np.log(eps)) - log_sum
    rows, cols = np.nonzero(defect)
    conf = np.clip(confidence[rows, cols].astype(np.float64), eps, 1 - eps)
    out[0] = -log_sum
    out[0, rows, cols] = np.log1p(-conf) - log_sum[rows, cols]
    out[labels[rows, cols], rows, cols] = np.log(conf) - log_sum[rows, cols]
    return out


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

    Measured on DeepPCB trainval only (never ``test.txt``), with the
    defaults, through :meth:`predict`.  First 300 pairs (2,273 boxes): 99.0%
    of the boxes contain predicted defect pixels (open 99.6%, short 99.8%,
    mousebite 95.8%, spur 100%, spurious copper 100%, pin-hole 99.6%); the
    majority predicted type of a found box is right for 99.4% of them (open
    99.4%, short 99.5%, mousebite 98.8%, spur 99.2%, spurious copper 100%,
    pin-hole 100%); 0.41 predicted components per image lie outside every
    box (median score 0.57, against 0.71 for components in boxes).  All
    1,000 trainval pairs (6,873 boxes): 99.6% found, 99.1% right type, 0.21
    false components per image.  Time on a 2-core CPU: 0.05 s per pair
    for the detection, 0.15 s with mmseg's post-processing.  The defaults
    were chosen on these trainval pairs.

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
        if inputs.dim() != 4 or inputs.shape[1] != 6:
            raise ValueError(
                f'ClassicalDiffSegmentor expects paired inputs of shape '
                f'(N, 6, H, W) (inspected BGR image in channels 0-2, '
                f'template in 3-5, raw 0-255 values), got '
                f'{tuple(inputs.shape)}.')

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
        images = inputs.detach().clamp(0, 255).round().to(
            torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
        background = _log_probs(
            np.zeros((1, 1), np.uint8), np.zeros((1, 1), np.float32),
            self.num_classes, self.eps)
        out = np.broadcast_to(background[None], (num, self.num_classes,
                                                 height, width)).copy()
        for i in range(num):
            meta = batch_img_metas[i] if batch_img_metas else None
            rows, cols = self._valid_region(meta, height, width)
            pair = images[i, rows, cols]
            labels, confidence = _detect(pair[..., :3], pair[..., 3:],
                                         self.cfg)
            out[i, :, rows, cols] = _log_probs(labels, confidence,
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

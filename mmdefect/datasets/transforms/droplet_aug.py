"""CAT's physics-inspired "droplet" augmentation (paper Section 3.2)."""
import math
from typing import Optional, Sequence, Tuple, Union

import cv2
import noise
import numpy as np
from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

Range = Union[int, float, Sequence[Union[int, float]]]

_SHIFT = 4  # sub-pixel bits of cv2.fillPoly


def _as_range(value: Range, name: str, integer: bool = False) -> tuple:
    """``value`` or ``(low, high)`` -> a checked ``(low, high)`` tuple."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        low = high = value
    elif isinstance(value, Sequence) and len(value) == 2:
        low, high = value
    else:
        raise ValueError(f'DropletAug: {name} must be a number or a '
                         f'(min, max) pair, got {value!r}')
    if integer and (int(low) != low or int(high) != high):
        raise ValueError(f'DropletAug: {name} must be integers, got '
                         f'{value!r}')
    if low > high:
        raise ValueError(f'DropletAug: {name} needs min <= max, got '
                         f'{value!r}')
    return (int(low), int(high)) if integer else (float(low), float(high))


@TRANSFORMS.register_module()
class DropletAug(BaseTransform):
    r"""Paint synthetic "droplets" (oxidation spots) and return their mask.

    `Contrastive Augmented Transformer ... for Robust Multi-scenario Metal
    Surface Defect Detection <https://arxiv.org/abs/2606.01962>`_,
    Section 3.2 and Fig. 3.  Per droplet:

    1. **Centre** :math:`(c_x, c_y)` uniform over the image.
    2. **Polygon** with :math:`n_p` vertices (``num_vertices``, Sec. 3.2:
       64-128; Sec. 4.2 says 25-128) at evenly spaced angles :math:`\theta_k = 2\pi k / n_p`,
       base radius :math:`R` uniform in ``radius_range`` (paper: 10 to half
       the image *width*; ``None`` as the upper end means ``W / 2``).
    3. **Perlin radius** (Section 3.2's equation)
       :math:`r(\theta) = R + A_n N(\theta)` with :math:`A_n` uniform in
       ``[R/10, R/2]`` (``amplitude_range`` as fractions of :math:`R`).
       :math:`N` is 1-D Perlin noise of the ``noise`` package,
       ``pnoise1(x0 + P * theta / (2 pi), repeat=P, octaves=2, base=b)``,
       which is periodic in :math:`x` with the integer period :math:`P`
       (``frequency_range``, the number of "lobes"), so
       :math:`N(\theta + 2\pi) = N(\theta)` and the contour closes without
       a seam; random ``x0`` and ``b`` give each droplet its own noise.  The
       samples are divided by their largest magnitude, so :math:`N` spans
       exactly :math:`[-1, 1]` as the paper states and :math:`A_n` is the
       realised distortion.  Since :math:`A_n \le R/2`, :math:`r > 0`.
    4. **Region** :math:`\Omega`: the polygon rasterised with
       ``cv2.fillPoly`` (4 sub-pixel bits).  Its 0/1 mask is the target.
    5. **Bright points** (oxidation spots / reflective pits): at most
       :math:`\lfloor|\Omega|/16\rfloor` candidate pixels of :math:`\Omega`,
       each accepted with a probability drawn uniformly from
       ``point_prob_range`` (paper: about 0.01-0.1); accepted pixels are set
       to a high but not saturated intensity (``point_level_range``,
       default 215-250 of 255).  The number of bright pixels therefore never
       exceeds :math:`|\Omega|/16`.

    **Blending into the surface** (the paper leaves the interior rendering
    open; this is our choice): the droplet is a semi-transparent film of
    tone :math:`L` over the surface,
    ``out = img + beta * a * (L - img)``, with opacity ``beta`` uniform in
    ``opacity_range``, ``a`` the polygon mask blurred by a Gaussian of
    :math:`\sigma` uniform in ``edge_sigma_range`` (a diffuse boundary, the
    "blended rim": ``a`` is about 0.5 on the contour and reaches 0 within
    :math:`\lceil 3\sigma\rceil` pixels outside it) and
    :math:`L = \mu \pm \Delta` per channel, where :math:`\mu` is the mean of
    the surface under the droplet's bounding box and :math:`\Delta` uniform
    in ``contrast_range`` (darker or brighter with equal probability, the
    sign flipped when the tone would leave ``[0, 255]``).  The surface
    texture therefore shows through the droplet, and only :math:`\Omega`
    and a rim of at most :math:`\lceil 3\sigma\rceil + 1` pixels around it
    change; the bright points are drawn last, on top.

    **Keys.** Required: ``img`` (``(H, W)`` or ``(H, W, C)``, uint8 or
    float in ``[0, 255]``).  Modified: ``img`` (same dtype) and
    ``gt_seg_map``: without one, it becomes the droplet mask (0 normal,
    1 droplet, uint8) and is added to ``seg_fields``; an existing
    ``gt_seg_map`` keeps its values except that droplet pixels where it is
    0 become 1 (ignored pixels, 255, and existing defect labels stay).
    Added: ``droplet_mask`` (``(H, W)`` uint8 0/1, the union of the
    droplets).  ``ref_img`` is never read or written, so the reference
    stays the unaugmented image.  When the transform is skipped (``prob``)
    the masks are all zeros, so every sample of a batch carries a label.

    **Randomness** comes from NumPy's global generator, as in mmcv's
    transforms (mmengine seeds it per worker from ``randomness.seed``, so
    runs reproduce).  With ``seed`` the transform owns a
    ``np.random.RandomState(seed)`` instead: the same sequence of images
    then gets the same sequence of droplets regardless of global state.

    Args:
        prob (float): Probability of augmenting an image. Defaults to 1.0
            (paper: every training image).
        num_droplets (int | tuple[int, int]): Droplets per image, or an
            inclusive ``(min, max)`` range. Defaults to 1.
        num_vertices (int | tuple[int, int]): :math:`n_p`, inclusive range.
            Defaults to (64, 128).
        radius_range (tuple): :math:`(R_{min}, R_{max})` in pixels;
            ``R_max=None`` means half the image width.  Both ends are
            clipped to ``[1, W/2]`` for small images. Defaults to
            (10, None).
        amplitude_range (tuple[float, float]): :math:`A_n / R`. Defaults to
            (0.1, 0.5).
        frequency_range (tuple[int, int]): Perlin period :math:`P` (lobes
            around the contour), inclusive. Defaults to (2, 6).
        point_fraction (float): Largest share of :math:`\Omega` that can
            become bright points. Defaults to 1/16.
        point_prob_range (tuple[float, float]): Acceptance probability of a
            candidate point. Defaults to (0.01, 0.1).
        point_level_range (tuple[float, float]): Bright-point intensity.
            Defaults to (215, 250).
        opacity_range (tuple[float, float]): ``beta``. Defaults to
            (0.35, 0.75).
        contrast_range (tuple[float, float]): :math:`\Delta` of the tone.
            Defaults to (40, 110).
        edge_sigma_range (tuple[float, float]): Gaussian :math:`\sigma` of
            the soft edge in pixels. Defaults to (0.8, 2.5).
        seed (int, optional): Own random generator (see above). Defaults to
            None (NumPy's global generator).
    """

    def __init__(self,
                 prob: float = 1.0,
                 num_droplets: Range = 1,
                 num_vertices: Range = (64, 128),
                 radius_range: Tuple[float, Optional[float]] = (10, None),
                 amplitude_range: Range = (0.1, 0.5),
                 frequency_range: Range = (2, 6),
                 point_fraction: float = 1 / 16,
                 point_prob_range: Range = (0.01, 0.1),
                 point_level_range: Range = (215, 250),
                 opacity_range: Range = (0.35, 0.75),
                 contrast_range: Range = (40, 110),
                 edge_sigma_range: Range = (0.8, 2.5),
                 seed: Optional[int] = None):
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'DropletAug: prob must be in [0, 1], got '
                             f'{prob!r}')
        self.prob = float(prob)
        self.num_droplets = _as_range(num_droplets, 'num_droplets', True)
        self.num_vertices = _as_range(num_vertices, 'num_vertices', True)
        if self.num_droplets[0] < 0 or self.num_vertices[0] < 3:
            raise ValueError('DropletAug: num_droplets must be >= 0 and '
                             'num_vertices >= 3, got '
                             f'{num_droplets!r} and {num_vertices!r}')
        if (not isinstance(radius_range, Sequence) or len(radius_range) != 2
                or radius_range[0] is None or radius_range[0] <= 0):
            raise ValueError('DropletAug: radius_range must be (min > 0, '
                             f'max or None), got {radius_range!r}')
        self.radius_range = (float(radius_range[0]), None
                             if radius_range[1] is None else float(
                                 radius_range[1]))
        self.amplitude_range = _as_range(amplitude_range, 'amplitude_range')
        self.frequency_range = _as_range(frequency_range, 'frequency_range',
                                         True)
        if self.frequency_range[0] < 1:
            raise ValueError('DropletAug: frequency_range must be >= 1, got '
                             f'{frequency_range!r}')
        if not 0.0 <= point_fraction <= 1.0:
            raise ValueError('DropletAug: point_fraction must be in [0, 1], '
                             f'got {point_fraction!r}')
        self.point_fraction = float(point_fraction)
        self.point_prob_range = _as_range(point_prob_range,
                                          'point_prob_range')
        self.point_level_range = _as_range(point_level_range,
                                           'point_level_range')
        self.opacity_range = _as_range(opacity_range, 'opacity_range')
        self.contrast_range = _as_range(contrast_range, 'contrast_range')
        self.edge_sigma_range = _as_range(edge_sigma_range,
                                          'edge_sigma_range')
        self.seed = seed
        self._rng = np.random.RandomState(seed) if seed is not None else None

    @property
    def rng(self):
        """The generator in use: own ``RandomState`` or ``np.random``."""
        return self._rng if self._rng is not None else np.random

    # geometry ---------------------------------------------------------------
    def radius_bounds(self, width: int) -> Tuple[float, float]:
        """``(R_min, R_max)`` for an image of ``width`` pixels."""
        half = max(width / 2.0, 1.0)
        high = half if self.radius_range[1] is None else min(
            self.radius_range[1], half)
        low = min(max(self.radius_range[0], 1.0), high)
        return low, high

    @staticmethod
    def perlin_profile(theta: np.ndarray, period: int, offset: float,
                       base: int) -> np.ndarray:
        """Raw 1-D Perlin noise on the circle (before normalisation).

        ``pnoise1(offset + period * theta / 2pi, repeat=period)`` is
        periodic in ``theta`` with period :math:`2\\pi`.
        """
        xs = offset + period * np.asarray(theta, np.float64) / (2 * math.pi)
        return np.array([
            noise.pnoise1(float(x), octaves=2, repeat=period, base=base)
            for x in xs
        ])

    def sample_polygon(self, height: int, width: int, rng=None) -> dict:
        """Draw one droplet contour.

        Returns:
            dict: ``centre`` (x, y), ``radius`` R, ``amplitude`` A_n,
            ``theta`` (n_p,), ``noise`` N(theta) in [-1, 1], ``r`` (n_p,)
            and ``vertices`` (n_p, 2) float64 (x, y) pixel coordinates.
        """
        rng = self.rng if rng is None else rng
        n_p = int(rng.randint(self.num_vertices[0], self.num_vertices[1] + 1))
        low, high = self.radius_bounds(width)
        radius = float(rng.uniform(low, high))
        amplitude = radius * float(rng.uniform(*self.amplitude_range))
        centre = (float(rng.uniform(0, width)), float(rng.uniform(0, height)))
        period = int(
            rng.randint(self.frequency_range[0], self.frequency_range[1] + 1))
        offset = float(rng.uniform(0, period))
        base = int(rng.randint(0, 256))
        theta = np.arange(n_p) * (2 * math.pi / n_p)
        raw = self.perlin_profile(theta, period, offset, base)
        peak = np.abs(raw).max()
        unit = raw / peak if peak > 0 else raw
        r = radius + amplitude * unit
        vertices = np.stack(
            [centre[0] + r * np.cos(theta), centre[1] + r * np.sin(theta)],
            axis=1)
        return dict(
            centre=centre,
            radius=radius,
            amplitude=amplitude,
            period=period,
            offset=offset,
            base=base,
            theta=theta,
            noise=unit,
            r=r,
            vertices=vertices)

    # rendering --------------------------------------------------------------
    def _paint(self, img: np.ndarray, union: np.ndarray, poly: dict,
               rng) -> None:
        """Rasterise one droplet into ``union`` and blend it into ``img``
        (``(H, W)`` or ``(H, W, C)``) in place, inside its bounding box.

        OpenCV does the per-pixel arithmetic (several times faster than
        NumPy broadcasting here)."""
        height, width = union.shape
        sigma = float(rng.uniform(*self.edge_sigma_range))
        rim = int(math.ceil(3 * sigma)) + 1
        verts = poly['vertices']
        x0 = max(int(math.floor(verts[:, 0].min())) - rim, 0)
        y0 = max(int(math.floor(verts[:, 1].min())) - rim, 0)
        x1 = min(int(math.ceil(verts[:, 0].max())) + rim + 1, width)
        y1 = min(int(math.ceil(verts[:, 1].max())) + rim + 1, height)
        if x1 <= x0 or y1 <= y0:
            return
        local = np.zeros((y1 - y0, x1 - x0), np.uint8)
        pts = np.round((verts - (x0, y0)) * (1 << _SHIFT)).astype(np.int32)
        cv2.fillPoly(local, [pts], 1, lineType=cv2.LINE_8, shift=_SHIFT)
        area = cv2.countNonZero(local)
        if area == 0:
            return
        ksize = 2 * int(math.ceil(3 * sigma)) + 1
        alpha = cv2.GaussianBlur(
            local.astype(np.float32), (ksize, ksize),
            sigma,
            borderType=cv2.BORDER_REPLICATE)
        roi = img[y0:y1, x0:x1]
        work = roi.astype(np.float32)
        channels = 1 if work.ndim == 2 else work.shape[2]
        if channels <= 4:
            mean = np.array(cv2.mean(work)[:channels])
        else:
            mean = work.reshape(-1, channels).mean(axis=0)
        delta = float(rng.uniform(*self.contrast_range))
        sign = 1.0 if rng.rand() < 0.5 else -1.0
        shifted = mean + sign * delta
        if np.any(shifted > 255) or np.any(shifted < 0):
            sign = -sign
        tone = np.clip(mean + sign * delta, 0, 255)
        weight = float(rng.uniform(*self.opacity_range)) * alpha
        # out = img + beta * a * (L - img), per channel
        if channels == 1:
            work = work + weight * (float(tone[0]) - work)
        elif channels <= 4:
            weights = cv2.merge([weight] * channels)
            scalar = tuple(float(t) for t in tone) + (0., ) * (4 - channels)
            work = cv2.subtract(
                work, cv2.multiply(weights, cv2.subtract(work, scalar)))
        else:
            work += weight[..., None] * (tone.astype(np.float32) - work)
        # bright specular points: Binomial(|Omega| * point_fraction, p)
        # pixels of Omega (rejection-sampled in the box; duplicates and a
        # short draw only lower the count, never above the bound)
        candidates = int(area * self.point_fraction)
        accept = float(rng.uniform(*self.point_prob_range))
        count = int(rng.binomial(candidates, accept)) if candidates else 0
        if count:
            draws = int(count * local.size / area * 1.5) + 16
            ys = rng.randint(0, local.shape[0], size=draws)
            xs = rng.randint(0, local.shape[1], size=draws)
            keep = local[ys, xs] == 1
            ys, xs = ys[keep][:count], xs[keep][:count]
            levels = rng.uniform(*self.point_level_range, size=ys.size)
            work[ys, xs] = levels.astype(np.float32).reshape(
                (-1, ) + (1, ) * (work.ndim - 2))
        if roi.dtype == np.uint8:
            roi[...] = cv2.convertScaleAbs(work).reshape(roi.shape)
        elif np.issubdtype(roi.dtype, np.integer):
            roi[...] = np.clip(np.rint(work), 0, 255).reshape(roi.shape)
        else:
            roi[...] = work.reshape(roi.shape)
        union[y0:y1, x0:x1] |= local

    def transform(self, results: dict) -> dict:
        """Paint the droplets; see the class docstring for the keys."""
        if 'img' not in results:
            raise KeyError('DropletAug needs "img" in the results of '
                           f'{results.get("img_path")!r}')
        img = results['img']
        if img.ndim not in (2, 3):
            raise ValueError(f'DropletAug: image {results.get("img_path")!r} '
                             f'must be (H, W) or (H, W, C), got {img.shape}')
        height, width = img.shape[:2]
        rng = self.rng
        union = np.zeros((height, width), np.uint8)
        if self.prob > 0 and rng.rand() < self.prob:
            count = int(
                rng.randint(self.num_droplets[0], self.num_droplets[1] + 1))
            if count:
                img = img.copy()
                for _ in range(count):
                    self._paint(img, union,
                                self.sample_polygon(height, width, rng), rng)
                results['img'] = img
        results['droplet_mask'] = union
        seg = results.get('gt_seg_map')
        if seg is None:
            results['gt_seg_map'] = union.copy()
            seg_fields = results.setdefault('seg_fields', [])
            if 'gt_seg_map' not in seg_fields:
                seg_fields.append('gt_seg_map')
        else:
            if seg.shape[:2] != (height, width):
                raise ValueError(
                    f'DropletAug: gt_seg_map of {results.get("img_path")!r} '
                    f'has shape {seg.shape} but the image is '
                    f'{(height, width)}')
            seg = seg.copy()
            seg[(union == 1) & (seg == 0)] = 1
            results['gt_seg_map'] = seg
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(prob={self.prob}, '
                f'num_droplets={self.num_droplets}, '
                f'num_vertices={self.num_vertices}, '
                f'radius_range={self.radius_range}, '
                f'amplitude_range={self.amplitude_range}, seed={self.seed})')

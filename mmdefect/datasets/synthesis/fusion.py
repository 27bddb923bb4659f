"""Defect fusion and the global screen transform of SynLCD.

The CADNet paper models a defective screen as
``x_ng = sigma(x_ok [+] x_defect)`` (Method, Eq. (1)): the defect is overlaid
on the clean image "in a specific manner (e.g. corrosion, breakage, mixing,
and direct covering)" and a global nonlinear transform ``sigma`` follows. Its
data-simulation text adds: "we overlay them onto the clean image using
Gaussian blur and Poisson seamless fusion. This process introduces random
luminance, contrast, ISO noise, and RGB color bias", with the ranges of
Table 1 (Screen rows).

Overlay (:func:`fuse_defects`), per defect: its alpha (mask x opacity) is
softened with a Gaussian blur (sigma from :data:`BLUR_SIGMAS`), then one of
two overlay modes, drawn per defect, puts it in:

* ``'cover'`` - Eq. (1)'s "direct covering": the defect colour is
  alpha-composited over the screen, which keeps the screen content visible
  in proportion to ``1 - opacity``;
* ``'poisson'`` - Poisson seamless fusion (Perez et al., the paper's
  ref. 64): the defect is drawn on a flat canvas of the screen's mean colour
  under it, and that patch is cloned into the screen with
  ``cv2.seamlessClone(..., cv2.NORMAL_CLONE)``. The patch brings its
  gradients (the defect's edges); the level comes from the surrounding
  screen, so the defect's colour becomes relative to its neighbourhood
  (dark spots on dark content stay dark-on-dark, as the paper's
  low-contrast defects). Inside the clone mask the fine screen texture is
  replaced by the smooth membrane of the solution, so a halo of at most
  :func:`fusion_margin` pixels around the (unchanged) label may be smoothed.

Compositing the defect over the screen itself and cloning *that* would be a
no-op (guidance field and boundary agree), and ``cv2.MIXED_CLONE`` is
avoided on purpose: in OpenCV it shifts and attenuates features a few pixels
wide even on a flat background, which would misalign labels and defects.

Global screen transform (:func:`apply_screen_transform`, Table 1 "Screen"):
``clip(contrast * x + brightness + rgb_offset)`` (OpenCV's
``g = alpha * f + beta`` brightness/contrast model; clipping provides the
nonlinear saturation of Fig. 5 (f)), then ISO noise.
"""
from dataclasses import asdict, dataclass

import cv2
import numpy as np

BLUR_SIGMAS = (0.5, 1.0, 1.5)
"""Gaussian blur sigma of the defect alpha, in pixels at 512 px (at least
0.5 px at any size). Paper: "Gaussian blur", no value given (ours)."""

OVERLAY_MODES = ('cover', 'poisson')
"""Overlay modes, drawn with equal probability per defect (see module
docstring)."""

POISSON_EROSION = 3
"""``cv2.seamlessClone`` erodes the mask by 3 px before solving; the mask is
dilated by this much (plus one) so the whole defect is solved for."""

BRIGHTNESS_BIASES = tuple(range(1, 7))
"""Table 1, Screen/brightness: bias 1-6 grey levels, step 1."""

CONTRASTS = tuple(round(0.5 + 0.1 * i, 1) for i in range(11))
"""Table 1, Screen/contrast: alpha 0.5-1.5, step 0.1."""

ISO_INTENSITIES = tuple(round(0.1 * i, 1) for i in range(1, 11))
"""Table 1, Screen/ISO noise: 10 %-100 %, step 10 %."""

RGB_DEVIATIONS = tuple(range(3, 34, 3))
"""Table 1, Screen/RGB deviation: 3-33 grey levels, step 3."""

ISO_COLOUR_SHIFT = 0.05
"""Hue-noise scale of the ISO noise model (ours; see
:func:`apply_screen_transform`)."""


def blur_sigma_px(sigma_ref, shape):
    """Blur sigma in pixels for an image of ``shape`` (see BLUR_SIGMAS)."""
    return max(0.5, sigma_ref * min(shape[:2]) / 512)


def fusion_margin(shape):
    """Pixels around a defect mask that fusion may change (blur + Poisson).

    Outside the defect masks dilated by this many pixels, a fused image is
    exactly the clean one.
    """
    sigma = blur_sigma_px(max(BLUR_SIGMAS), shape)
    return int(np.ceil(3 * sigma)) + POISSON_EROSION + 2


def _blend(image, defect, sigma, mode, margin):
    h, w = image.shape[:2]
    x0, y0, x1, y1 = defect.bbox
    rx0, ry0 = max(x0 - margin, 0), max(y0 - margin, 0)
    rx1, ry1 = min(x1 + margin, w), min(y1 + margin, h)
    alpha = np.zeros((ry1 - ry0, rx1 - rx0), np.float32)
    alpha[y0 - ry0:y1 - ry0, x0 - rx0:x1 - rx0][defect.mask] = defect.opacity
    radius = int(np.ceil(3 * sigma))
    alpha = cv2.GaussianBlur(
        alpha, (2 * radius + 1, 2 * radius + 1),
        sigma,
        borderType=cv2.BORDER_REPLICATE)[..., None]
    roi = image[ry0:ry1, rx0:rx1]
    colour = np.array(defect.bgr, np.float32)
    if mode == 'cover':
        image[ry0:ry1, rx0:rx1] = np.clip(
            roi.astype(np.float32) * (1 - alpha) + colour * alpha + 0.5, 0,
            255).astype(np.uint8)
        return
    support = (alpha[..., 0] > 0).astype(np.uint8)
    support = cv2.dilate(
        support, np.ones((3, 3), np.uint8), iterations=POISSON_EROSION + 1)
    canvas = np.array(cv2.mean(roi, mask=support)[:3], np.float32)
    sticker = np.clip(canvas * (1 - alpha) + colour * alpha + 0.5, 0,
                      255).astype(np.uint8)
    pad = POISSON_EROSION + 2
    src = cv2.copyMakeBorder(sticker, pad, pad, pad, pad, cv2.BORDER_REFLECT)
    dst = src.copy()
    dst[pad:-pad, pad:-pad] = roi
    mask = cv2.copyMakeBorder(support, pad, pad, pad, pad,
                              cv2.BORDER_REPLICATE) * 255
    # seamlessClone clears the outermost ring of the mask before placing it;
    # clear it here too so the centre below keeps the clone aligned
    mask[[0, -1]] = 0
    mask[:, [0, -1]] = 0
    bx, by, bw, bh = cv2.boundingRect(mask)
    cloned = cv2.seamlessClone(src, dst, mask, (bx + bw // 2, by + bh // 2),
                               cv2.NORMAL_CLONE)
    image[ry0:ry1, rx0:rx1] = cloned[pad:-pad, pad:-pad]


def fuse_defects(clean, defects, rng):
    """Overlay ``defects`` on ``clean`` with Gaussian blur + Poisson fusion.

    Args:
        clean (np.ndarray): ``(H, W, 3)`` uint8 BGR clean image.
        defects (list[Defect]): Defects, blended in order.
        rng (np.random.Generator): Per-sample random generator.

    Returns:
        tuple[np.ndarray, list[dict]]: The fused image (a new array) and one
        ``{'blur_sigma_px', 'overlay'}`` record per defect.
    """
    image = clean.copy()
    margin = fusion_margin(clean.shape)
    records = []
    for defect in defects:
        sigma_ref = float(rng.choice(BLUR_SIGMAS))
        sigma = blur_sigma_px(sigma_ref, clean.shape)
        mode = OVERLAY_MODES[int(rng.integers(len(OVERLAY_MODES)))]
        _blend(image, defect, sigma, mode, margin)
        records.append(dict(blur_sigma_px=round(sigma, 3), overlay=mode))
    return image, records


@dataclass(frozen=True)
class ScreenParams:
    """Parameters of one global screen transform (Table 1, Screen rows).

    Attributes:
        brightness (int): Additive bias, :data:`BRIGHTNESS_BIASES`.
        contrast (float): Gain, :data:`CONTRASTS`.
        iso_intensity (float): ISO noise level, :data:`ISO_INTENSITIES`.
        rgb_deviation (int): Maximum per-channel offset,
            :data:`RGB_DEVIATIONS`.
        rgb_offset (tuple[int, int, int]): B, G, R offsets, each in
            ``[-rgb_deviation, rgb_deviation]``, one of them at
            ``+-rgb_deviation``.
    """

    brightness: int
    contrast: float
    iso_intensity: float
    rgb_deviation: int
    rgb_offset: tuple

    def to_dict(self):
        record = asdict(self)
        record['rgb_offset'] = list(self.rgb_offset)
        return record


def sample_screen_params(rng):
    """Draw a :class:`ScreenParams` from the Table 1 grids."""
    brightness = int(rng.choice(BRIGHTNESS_BIASES))
    contrast = float(rng.choice(CONTRASTS))
    iso = float(rng.choice(ISO_INTENSITIES))
    deviation = int(rng.choice(RGB_DEVIATIONS))
    offset = rng.integers(-deviation, deviation + 1, 3)
    main = int(rng.integers(3))
    offset[main] = deviation if rng.integers(2) else -deviation
    return ScreenParams(brightness, contrast, iso, deviation,
                        tuple(int(v) for v in offset))


def apply_screen_transform(image, params, rng):
    """Apply the global screen transform ``sigma`` of Eq. (1).

    ``y = clip(contrast * x + brightness + rgb_offset, 0, 255)``, then ISO
    noise in HLS space after the ISONoise model of the albumentations
    library, whose ``intensity`` is the fraction of Table 1 (10 %-100 %):
    luminance ``L += n / 255 * (1 - L)`` with
    ``n ~ Poisson(std(L) * intensity * 255)`` (drawn with its Gaussian
    approximation, clipped at 0, for speed) and hue noise
    ``N(0, ISO_COLOUR_SHIFT * 360 * intensity)`` degrees (OpenCV's HLS to
    BGR conversion wraps hues of 360 degrees and more).

    Args:
        image (np.ndarray): ``(H, W, 3)`` uint8 BGR image.
        params (ScreenParams): Transform parameters.
        rng (np.random.Generator): Source of the noise.

    Returns:
        np.ndarray: Transformed uint8 BGR image.
    """
    levels = np.arange(256, dtype=np.float32)[:, None]
    offset = np.array(params.rgb_offset, np.float32) + params.brightness
    lut = np.clip(np.rint(levels * params.contrast + offset), 0, 255)
    shifted = cv2.LUT(image, lut.astype(np.uint8).reshape(1, 256, 3))
    hls = cv2.cvtColor(
        np.multiply(shifted, np.float32(1.0 / 255.0), dtype=np.float32),
        cv2.COLOR_BGR2HLS)
    hue, lum, sat = cv2.split(hls)
    lam = float(lum.std()) * params.iso_intensity * 255.0
    lum_noise, hue_noise = rng.standard_normal(
        (2, ) + lum.shape, dtype=np.float32)
    lum_noise *= np.sqrt(lam)
    lum_noise += lam
    np.maximum(lum_noise, 0, out=lum_noise)
    lum_noise *= 1.0 / 255.0
    lum_noise *= 1.0 - lum
    lum += lum_noise
    hue_noise *= ISO_COLOUR_SHIFT * 360.0 * params.iso_intensity
    hue_noise += 360.0
    hue += hue_noise
    hls = cv2.merge((hue, lum, sat))
    return cv2.convertScaleAbs(
        cv2.cvtColor(hls, cv2.COLOR_HLS2BGR), alpha=255.0)

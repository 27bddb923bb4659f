"""Clean (defect-free) LCD test-screen patterns for SynLCD.

The CADNet paper (Datasets, "Synthetic LCD defect dataset", and Fig. 4)
builds SynLCD on ten fixed defect-free display patterns. Each one is an
industrial inspection screen made of five functional zones: solid colour
blocks (top-left), text (top-right), an RGB chromaticity chart / colour map,
a grey-scale transition (bottom-left) and a facial image (bottom-right);
Table 1 says the ten patterns differ in "face and color-map, etc.".

The paper's pictures cannot be downloaded, so the ten patterns here are
procedural and fixed: pattern ``i`` always renders the same screen at a given
size (its content is seeded by the pattern index only, never by the dataset
seed), just as the paper reuses its ten fixed clean images for every sample.
Every pattern contains all five zone kinds; pattern ``i`` gives the zone kind
``ZONE_KINDS[i % 5]`` half of the screen and the other four kinds share the
rest, and patterns ``i`` and ``i + 5`` differ in layout and in the content of
every zone (colour map type, text, face, block palette, ramp direction). The
"natural-photo-like" zone is a procedural portrait (hair strands, skin
shading, eyes, lips) on a fractal-noise background, standing in for the
paper's face photographs.

:func:`load_pattern_dir` replaces the built-in patterns with the user's own
clean images.
"""
from pathlib import Path

import cv2
import numpy as np

ZONE_KINDS = ('rgb_blocks', 'grey_transition', 'colour_map', 'text', 'scene')
PATTERN_NAMES = tuple(f'{kind}_{variant}' for variant in ('a', 'b')
                      for kind in ZONE_KINDS)
NUM_BUILTIN_PATTERNS = len(PATTERN_NAMES)
IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp')

_PATTERN_SEED_BASE = 0x5C1CD
_BLOCK_PALETTE = ((0, 0, 255), (0, 255, 0), (255, 0, 0), (0, 0, 0),
                  (255, 255, 255), (255, 255, 0), (255, 0, 255), (0, 255, 255),
                  (128, 128, 128), (64, 64, 64), (192, 192, 192), (0, 0, 128),
                  (0, 128, 0), (128, 0, 0))
_COLOUR_MAPS = (cv2.COLORMAP_JET, cv2.COLORMAP_HSV, cv2.COLORMAP_RAINBOW,
                cv2.COLORMAP_TURBO, cv2.COLORMAP_VIRIDIS, cv2.COLORMAP_PARULA,
                cv2.COLORMAP_PLASMA, cv2.COLORMAP_COOL)
_FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX,
          cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_TRIPLEX,
          cv2.FONT_HERSHEY_PLAIN)
_GLYPHS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'


def _fbm(h, w, rng, octaves=4, base_cells=3):
    """Fractal value noise in [0, 1] of shape (h, w), float32."""
    total = np.zeros((h, w), np.float32)
    amplitude, norm = 1.0, 0.0
    for octave in range(octaves):
        cells = base_cells * 2**octave
        grid = rng.random((cells + 1, cells + 1)).astype(np.float32)
        total += amplitude * cv2.resize(
            grid, (w, h), interpolation=cv2.INTER_CUBIC)
        norm += amplitude
        amplitude *= 0.5
    total /= norm
    return cv2.normalize(total, None, 0.0, 1.0, cv2.NORM_MINMAX)


def _rgb_blocks(h, w, rng):
    rows, cols = int(rng.integers(2, 4)), int(rng.integers(3, 6))
    palette = rng.permutation(len(_BLOCK_PALETTE))
    zone = np.zeros((h, w, 3), np.uint8)
    ys = np.linspace(0, h, rows + 1).round().astype(int)
    xs = np.linspace(0, w, cols + 1).round().astype(int)
    for r in range(rows):
        for c in range(cols):
            colour = _BLOCK_PALETTE[palette[(r * cols + c) % len(palette)]]
            zone[ys[r]:ys[r + 1], xs[c]:xs[c + 1]] = colour
    return zone


def _grey_transition(h, w, rng):
    steps = int(rng.choice((8, 11, 16, 32)))
    vertical = bool(rng.integers(2))
    length = h if vertical else w
    ramp = np.linspace(0.0, 255.0, length, dtype=np.float32)
    if rng.integers(2):
        ramp = ramp[::-1].copy()
    stepped = (np.floor(ramp / 256.0 * steps) * (255.0 / (steps - 1)))
    smooth_first = bool(rng.integers(2))
    if vertical:
        zone = np.repeat(ramp[:, None], w, axis=1)
        half = np.repeat(stepped[:, None], w, axis=1)
        cut = w // 2
        if smooth_first:
            zone[:, cut:] = half[:, cut:]
        else:
            zone[:, :cut] = half[:, :cut]
    else:
        zone = np.repeat(ramp[None, :], h, axis=0)
        half = np.repeat(stepped[None, :], h, axis=0)
        cut = h // 2
        if smooth_first:
            zone[cut:] = half[cut:]
        else:
            zone[:cut] = half[:cut]
    zone = np.clip(zone, 0, 255).astype(np.uint8)
    return cv2.cvtColor(zone, cv2.COLOR_GRAY2BGR)


def _colour_map(h, w, rng):
    style = int(rng.integers(3))
    if style == 0:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
        radius = max(min(h, w) / 2.0 - 1.0, 1.0)
        dist = np.hypot(yy - cy, xx - cx) / radius
        hue = (np.degrees(np.arctan2(yy - cy, xx - cx)) + 180.0) / 2.0
        hsv = np.stack([
            hue,
            np.clip(dist, 0, 1) * 255.0,
            np.where(dist <= 1.0, 255.0, 0.0)
        ],
                       axis=-1)
        return cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2BGR)
    if style == 1:
        hue = np.linspace(0, 179, w, dtype=np.float32)[None, :]
        value = np.linspace(255, 40, h, dtype=np.float32)[:, None]
        hsv = np.stack(
            np.broadcast_arrays(hue, np.full_like(value, 255.0), value),
            axis=-1)
        return cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2BGR)
    bands = int(rng.integers(2, 5))
    maps = rng.choice(len(_COLOUR_MAPS), size=bands, replace=False)
    ramp = np.linspace(0, 255, w).astype(np.uint8)[None, :]
    zone = np.zeros((h, w, 3), np.uint8)
    ys = np.linspace(0, h, bands + 1).round().astype(int)
    for band, index in enumerate(maps):
        strip = cv2.applyColorMap(ramp, _COLOUR_MAPS[index])
        zone[ys[band]:ys[band + 1]] = strip
    return zone


def _text(h, w, rng):
    dark = bool(rng.integers(2))
    background = (20, 20, 20) if dark else (245, 245, 245)
    zone = np.full((h, w, 3), background, np.uint8)
    lines = int(rng.integers(3, 7))
    line_h = h / lines
    font = _FONTS[int(rng.integers(len(_FONTS)))]
    thickness = 1 if min(h, w) < 200 else int(rng.integers(1, 3))
    (_, ref_h), _ = cv2.getTextSize('Ag', font, 1.0, thickness)
    for row in range(lines):
        scale = max(
            0.25, 0.6 * line_h / max(ref_h, 1) * float(rng.uniform(0.7, 1.0)))
        colour = tuple(
            int(c) for c in
            (rng.integers(160, 256, 3) if dark else rng.integers(0, 110, 3)))
        words = [
            ''.join(rng.choice(list(_GLYPHS), int(rng.integers(2, 8))))
            for _ in range(12)
        ]
        baseline = int((row + 0.78) * line_h)
        cv2.putText(zone, ' '.join(words), (int(0.03 * w), baseline), font,
                    scale, colour, thickness, cv2.LINE_AA)
    return zone


def _scene(h, w, rng):
    back = _fbm(h, w, rng, octaves=5)
    tint_a = rng.uniform(30, 200, 3).astype(np.float32)
    tint_b = rng.uniform(30, 200, 3).astype(np.float32)
    zone = (back[..., None] * tint_a + (1 - back[..., None]) * tint_b)
    s = min(h, w)
    cx = w / 2.0 + rng.uniform(-0.1, 0.1) * w
    cy = h * 0.55
    face_axes = (0.22 * s, 0.3 * s)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)

    hair_colour = rng.uniform(10, 90, 3).astype(np.float32)
    hair_mask = (((xx - cx) / (face_axes[0] * 1.45))**2 +
                 ((yy - cy + 0.08 * s) / (face_axes[1] * 1.3))**2) <= 1.0
    warp = _fbm(h, w, rng, octaves=3) * 6.0
    strands = 0.5 + 0.5 * np.sin((xx - cx) * (40.0 / s) * np.pi + warp * 4.0)
    hair = hair_colour * (0.55 + 0.9 * strands[..., None])
    zone = np.where(hair_mask[..., None], hair, zone)

    shoulders = ((yy > cy + 0.32 * s) & (np.abs(xx - cx) < 0.2 * s +
                                         (yy - cy - 0.32 * s) * 1.6))
    cloth = rng.uniform(40, 220, 3).astype(np.float32)
    zone = np.where(shoulders[..., None], cloth, zone)

    skin = np.array(
        [rng.uniform(90, 150),
         rng.uniform(140, 195),
         rng.uniform(195, 245)], np.float32)
    face_d = (((xx - cx) / face_axes[0])**2 + ((yy - cy) / face_axes[1])**2)
    shade = np.clip(1.05 - 0.35 * face_d, 0.6, 1.05)[..., None]
    face = skin * shade * (0.93 + 0.14 * _fbm(h, w, rng)[..., None])
    zone = np.where((face_d <= 1.0)[..., None], face, zone)
    zone = np.clip(zone, 0, 255).astype(np.uint8)

    def pt(dx, dy):
        return (int(round(cx + dx * s)), int(round(cy + dy * s)))

    def rad(a):
        return max(1, int(round(a * s)))

    def ax(a, b):
        return (rad(a), rad(b))

    iris = tuple(int(c) for c in rng.integers(20, 140, 3))
    for side in (-1, 1):
        cv2.ellipse(zone, pt(side * 0.09, -0.05), ax(0.05, 0.022), 0, 0, 360,
                    (235, 235, 235), -1, cv2.LINE_AA)
        cv2.circle(zone, pt(side * 0.09, -0.05), rad(0.018), iris, -1,
                   cv2.LINE_AA)
        cv2.circle(zone, pt(side * 0.09, -0.05), rad(0.008), (10, 10, 10), -1,
                   cv2.LINE_AA)
        cv2.ellipse(zone, pt(side * 0.09, -0.105), ax(0.06, 0.02), 0, 200, 340,
                    tuple(int(c) for c in hair_colour), max(1, int(0.012 * s)),
                    cv2.LINE_AA)
    cv2.line(zone, pt(0.0, -0.02), pt(-0.015, 0.07),
             tuple(int(c * 0.75) for c in skin), max(1, int(0.008 * s)),
             cv2.LINE_AA)
    lips = (int(rng.integers(60, 120)), int(rng.integers(50, 100)),
            int(rng.integers(150, 220)))
    cv2.ellipse(zone, pt(0.0, 0.14), ax(0.07, 0.025), 0, 0, 360, lips, -1,
                cv2.LINE_AA)
    return zone


_ZONE_RENDERERS = {
    'rgb_blocks': _rgb_blocks,
    'grey_transition': _grey_transition,
    'colour_map': _colour_map,
    'text': _text,
    'scene': _scene,
}


def _layout(index, h, w):
    """Rectangles (x0, y0, x1, y1) of the five zones of pattern ``index``."""
    dominant = ZONE_KINDS[index % len(ZONE_KINDS)]
    others = [k for k in ZONE_KINDS if k != dominant]
    variant = index // len(ZONE_KINDS)
    if variant == 0:
        cut = int(round(w * 0.5))
        main, rest = (0, 0, cut, h), (cut, 0, w, h)
    else:
        cut = int(round(h * 0.5))
        main, rest = (0, cut, w, h), (0, 0, w, cut)
    x0, y0, x1, y1 = rest
    xm, ym = (x0 + x1) // 2, (y0 + y1) // 2
    cells = [(x0, y0, xm, ym), (xm, y0, x1, ym), (x0, ym, xm, y1),
             (xm, ym, x1, y1)]
    return [(dominant, main)] + list(zip(others, cells))


def render_pattern(index, size):
    """Render built-in clean pattern ``index`` (0-9) as a BGR uint8 image.

    Args:
        index (int): Pattern index in ``range(NUM_BUILTIN_PATTERNS)``.
        size (tuple[int, int]): Output ``(height, width)``.

    Returns:
        np.ndarray: ``(height, width, 3)`` uint8 BGR image. The same
        ``(index, size)`` always gives the same image.
    """
    if not 0 <= index < NUM_BUILTIN_PATTERNS:
        raise ValueError(f'pattern index must be in [0, '
                         f'{NUM_BUILTIN_PATTERNS}), got {index}')
    h, w = size
    rng = np.random.default_rng([_PATTERN_SEED_BASE, index])
    screen = np.zeros((h, w, 3), np.uint8)
    for kind, (x0, y0, x1, y1) in _layout(index, h, w):
        if x1 > x0 and y1 > y0:
            screen[y0:y1, x0:x1] = _ZONE_RENDERERS[kind](y1 - y0, x1 - x0, rng)
    return screen


def builtin_patterns(size):
    """All ten built-in patterns as ``(names, images)`` at ``size``."""
    return list(PATTERN_NAMES), [
        render_pattern(i, size) for i in range(NUM_BUILTIN_PATTERNS)
    ]


def load_pattern_dir(pattern_dir, size):
    """Load the user's clean images from ``pattern_dir`` as patterns.

    Images (``IMAGE_SUFFIXES``, non-recursive) are taken in file-name order,
    converted to 3-channel BGR and resized to ``size`` with area
    interpolation, so pattern ``i`` is the ``i``-th file name.

    Args:
        pattern_dir (str | Path): Folder with clean images.
        size (tuple[int, int]): Output ``(height, width)``.

    Returns:
        tuple[list[str], list[np.ndarray]]: File names and BGR uint8 images.
    """
    folder = Path(pattern_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f'pattern_dir {folder} is not a directory')
    files = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        suffixes = ', '.join(IMAGE_SUFFIXES)
        raise FileNotFoundError(
            f'pattern_dir {folder} holds no images ({suffixes})')
    h, w = size
    images = []
    for path in files:
        image = cv2.imdecode(
            np.fromfile(str(path), np.uint8), cv2.IMREAD_UNCHANGED)
        if image is None:
            raise ValueError(f'cannot decode pattern image {path}')
        if image.dtype != np.uint8:
            image = cv2.normalize(image, None, 0, 255, cv2.NORM_MINMAX,
                                  cv2.CV_8U)
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        elif image.shape[2] == 4:
            image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
        if image.shape[:2] != (h, w):
            image = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
        images.append(np.ascontiguousarray(image))
    return [p.name for p in files], images

"""Synthetic defects of the SynSurface data set: scratches, pits, stains,
cracks.

These are the *held-out* defects of the procedural set (issue 13, item 6):
CAT trains on defect-free images with droplet augmentation
(:class:`DropletAug`), so the test defects are deliberately *not* droplets
(closed, smooth, Perlin-bordered blobs with specular points). Each defect is
a coverage map ``alpha`` in [0, 1] and an additive change of the grey level
(``change = alpha * contrast``, plus the stain's texture damping); its label
is ``alpha >= 0.5``, so the labelled pixels are those changed by at least
half the defect's contrast, and pixels outside the label change by less
(anti-aliased rims, a soft stain border) or not at all; faint parts of a
coverage map that hold no labelled pixel are removed:

* **scratch**: a smooth quadratic Bezier stroke 1-2.5 px wide (at 128 px),
  30-90 % of the image long, bright or dark, its strength varying along the
  stroke (a Perlin field, 0.6-1 of the contrast);
* **pit**: one to three small round depressions (radius 1.5-4.5 px),
  whole inside the image, dark with a darker centre and a lit wall on the
  side of a random light direction;
* **stain**: an irregular blob (an ellipse 6-20 % of the image across whose
  border is displaced by Perlin noise, with a soft rim), darker or brighter,
  mottled, and with its texture partly smoothed away (oil, residue,
  discolouration);
* **crack**: a jagged random walk (heading changes ~N(0, 0.3) rad per
  2-3 px step) with zero to two thinner branches, dark.

The sign of a bright-or-dark defect is chosen so that it stays visible on the
local surface (dark defects on dark surfaces become bright). A defect whose
label would have fewer than :data:`MIN_PIXELS` pixels (mostly outside the
image) is drawn again.
"""
import cv2
import numpy as np

from .surfaces import noise_field, pixel_grid, unit_scale

DEFECT_TYPES = ('scratch', 'pit', 'stain', 'crack')
MIN_PIXELS = 6
"""Smallest label (in pixels at 128 px) of an accepted defect."""
MAX_TRIES = 20

SCRATCH_CONTRASTS = (0.12, 0.35)
PIT_DEPTHS = (0.2, 0.45)
STAIN_CONTRASTS = (0.1, 0.22)
CRACK_CONTRASTS = (0.2, 0.45)


def _local_mean(image, alpha):
    weight = float(alpha.sum())
    if weight <= 0:
        return float(image.mean())
    return float((image * alpha).sum() / weight)


def _visible_sign(image, alpha, rng, bright_prob):
    """+1 (brighter) or -1 (darker), forced where the surface is extreme."""
    mean = _local_mean(image, alpha)
    if mean < 0.3:
        return 1.0
    if mean > 0.7:
        return -1.0
    return 1.0 if rng.random() < bright_prob else -1.0


def _stroke(shape, polylines, thickness):
    """Anti-aliased strokes as a float32 coverage map in [0, 1]."""
    canvas = np.zeros(shape, np.uint8)
    for points, width in zip(polylines, thickness):
        pts = np.round(np.asarray(points) * 16).astype(np.int32)
        cv2.polylines(
            canvas, [pts.reshape(-1, 1, 2)],
            isClosed=False,
            color=255,
            thickness=int(width),
            lineType=cv2.LINE_AA,
            shift=4)
    return canvas.astype(np.float32) * np.float32(1 / 255)


def _round_list(values, digits=2):
    return [round(float(v), digits) for v in values]


def _scratch(image, rng, u):
    height, width = image.shape
    side = min(height, width)
    length = rng.uniform(0.3, 0.9) * side
    start = rng.uniform(0, 1, 2) * (width, height)
    heading = rng.uniform(0, 2 * np.pi)
    end = start + length * np.array([np.cos(heading), np.sin(heading)])
    bend = rng.uniform(-0.2, 0.2) * length
    control = (start + end) / 2 + bend * np.array(
        [-np.sin(heading), np.cos(heading)])
    t = np.linspace(0, 1, 24)[:, None]
    points = (1 - t)**2 * start + 2 * (1 - t) * t * control + t**2 * end
    thickness = max(1, int(round(rng.uniform(1, 2.5) * u)))
    alpha = _stroke(image.shape, [points], [thickness])
    strength = np.clip(
        0.8 + 0.2 * noise_field(image.shape, rng, cell=rng.uniform(10, 30) *
                                u), 0.6, 1.0)
    sign = _visible_sign(image, alpha, rng, bright_prob=0.6)
    contrast = sign * rng.uniform(*SCRATCH_CONTRASTS)
    change = alpha * strength * np.float32(contrast)
    return change, alpha, dict(
        start=_round_list(start),
        end=_round_list(end),
        control=_round_list(control),
        thickness=thickness,
        contrast=round(float(contrast), 4))


def _pit(image, rng, u):
    height, width = image.shape
    x, y = pixel_grid(image.shape)
    count = int(rng.integers(1, 4))
    light = rng.uniform(0, 2 * np.pi)
    lx, ly = np.cos(light), np.sin(light)
    depth = rng.uniform(*PIT_DEPTHS)
    alpha = np.zeros(image.shape, np.float32)
    change = np.zeros(image.shape, np.float32)
    pits = []
    first = None
    for _ in range(count):
        radius = rng.uniform(1.5, 4.5) * u
        if first is None:
            centre = rng.uniform(0, 1, 2) * (width, height)
            first = centre
        else:
            centre = first + rng.uniform(-4, 4, 2) * radius
        # whole pits only: a pit cut by the border could leave an unlabelled
        # sliver of its soft rim
        low = radius + 1
        centre = np.clip(centre, low, np.array([width, height]) - 1 - low)
        dx = x - np.float32(centre[0])
        dy = y - np.float32(centre[1])
        dist = np.sqrt(dx**2 + dy**2)
        cover = np.clip(float(radius) + 0.5 - dist, 0.0, 1.0)
        bowl = np.clip(1 - (dist / float(radius))**2, 0.0, 1.0)
        wall = np.clip((dx * float(lx) + dy * float(ly)) / float(radius), 0.0,
                       1.0)
        pit = np.float32(depth) * (-(0.6 + 0.4 * bowl) + 0.3 * wall) * cover
        change = np.minimum(change, pit)
        alpha = np.maximum(alpha, cover)
        pits.append(
            dict(centre=_round_list(centre), radius=round(float(radius), 3)))
    return change, alpha, dict(
        pits=pits,
        depth=round(float(depth), 4),
        light=round(float(light), 4))


def _stain(image, rng, u):
    height, width = image.shape
    side = min(height, width)
    x, y = pixel_grid(image.shape)
    centre = rng.uniform(0.15, 0.85, 2) * (width, height)
    a = rng.uniform(0.06, 0.2) * side
    b = a * rng.uniform(0.4, 1.0)
    rot = rng.uniform(0, np.pi)
    cos, sin = np.float32(np.cos(rot)), np.float32(np.sin(rot))
    dx, dy = x - np.float32(centre[0]), y - np.float32(centre[1])
    ell = np.sqrt(((dx * cos + dy * sin) / np.float32(a))**2 +
                  ((-dx * sin + dy * cos) / np.float32(b))**2)
    roughness = rng.uniform(0.15, 0.35)
    field = 1 - ell + np.float32(roughness) * noise_field(
        image.shape, rng, cell=rng.uniform(0.6, 1.5) * a)
    edge = rng.uniform(0.1, 0.3)
    alpha = np.clip(field / np.float32(edge), 0.0, 1.0)
    sign = _visible_sign(image, alpha, rng, bright_prob=0.3)
    contrast = sign * rng.uniform(*STAIN_CONTRASTS)
    mottle = np.clip(
        1 + 0.2 * noise_field(image.shape, rng, cell=rng.uniform(3, 8) * u),
        0.8, 1.2)
    damping = rng.uniform(0.2, 0.6)
    smooth = cv2.GaussianBlur(image, (0, 0), sigmaX=2.0 * u)
    change = alpha * (
        np.float32(contrast) * mottle + np.float32(damping) * (smooth - image))
    return change, alpha, dict(
        centre=_round_list(centre),
        axes=_round_list((a, b)),
        rotation=round(float(rot), 4),
        roughness=round(float(roughness), 3),
        edge=round(float(edge), 3),
        contrast=round(float(contrast), 4),
        damping=round(float(damping), 3))


def _walk(rng, start, heading, length, step):
    points = [np.asarray(start, np.float64)]
    for _ in range(max(2, int(np.ceil(length / step)))):
        heading += rng.normal(0.0, 0.3)
        points.append(points[-1] + step * np.array(
            [np.cos(heading), np.sin(heading)]))
    return np.stack(points)


def _crack(image, rng, u):
    height, width = image.shape
    side = min(height, width)
    length = rng.uniform(0.25, 0.6) * side
    step = rng.uniform(2, 3) * u
    start = rng.uniform(0.1, 0.9, 2) * (width, height)
    heading = rng.uniform(0, 2 * np.pi)
    main = _walk(rng, start, heading, length, step)
    width_main = max(1, int(round(rng.uniform(1, 2) * u)))
    lines, widths = [main], [width_main]
    for _ in range(int(rng.integers(0, 3))):
        at = main[int(rng.integers(1, len(main)))]
        turn = rng.choice((-1, 1)) * rng.uniform(0.5, 1.2)
        lines.append(
            _walk(rng, at, heading + turn,
                  rng.uniform(0.2, 0.5) * length, step))
        widths.append(max(1, width_main - 1))
    alpha = _stroke(image.shape, lines, widths)
    sign = -1.0 if _local_mean(image, alpha) >= 0.25 else 1.0
    contrast = sign * rng.uniform(*CRACK_CONTRASTS)
    return alpha * np.float32(contrast), alpha, dict(
        start=_round_list(start),
        length=round(float(length), 2),
        branches=len(lines) - 1,
        thickness=width_main,
        contrast=round(float(contrast), 4))


_SAMPLERS = dict(scratch=_scratch, pit=_pit, stain=_stain, crack=_crack)


def add_defect(image, kind, rng):
    """Add one defect of ``kind`` to a surface.

    Args:
        image (np.ndarray): ``(H, W)`` float32 surface in [0, 1].
        kind (str): One of :data:`DEFECT_TYPES`.
        rng (np.random.Generator): The sample's generator.

    Returns:
        tuple[np.ndarray, np.ndarray, dict]: The new image (clipped to
        [0, 1]), the defect's boolean label (``alpha >= 0.5``) and its
        record (type, bbox ``[x0, y0, x1, y1]`` inclusive, pixels,
        parameters).
    """
    if kind not in _SAMPLERS:
        raise ValueError(f'defect kind must be one of {DEFECT_TYPES}, got '
                         f'{kind!r}')
    u = unit_scale(image.shape)
    min_pixels = max(1, int(round(MIN_PIXELS * u)))
    for _ in range(MAX_TRIES):
        change, alpha, params = _SAMPLERS[kind](image, rng, u)
        mask = alpha >= 0.5
        pixels = int(mask.sum())
        if pixels >= min_pixels:
            break
    else:
        raise RuntimeError(f'could not place a {kind} of at least '
                           f'{min_pixels} pixels in {MAX_TRIES} tries on a '
                           f'{image.shape[1]}x{image.shape[0]} image')
    # faint islands of the coverage with no labelled pixel (a stain's noisy
    # border can leave some) are removed, so every changed pixel belongs to
    # a labelled defect
    count, parts = cv2.connectedComponents((alpha > 0).astype(np.uint8))
    if count > 2:
        keep = np.zeros(count, bool)
        keep[np.unique(parts[mask])] = True
        keep[0] = False
        change = np.where(keep[parts], change, np.float32(0))
    ys, xs = np.nonzero(mask)
    record = dict(
        type=kind,
        bbox=[int(xs.min()), int(ys.min()),
              int(xs.max()), int(ys.max())],
        pixels=pixels,
        **params)
    image = np.clip(image + change, 0.0, 1.0).astype(np.float32, copy=False)
    return image, mask, record

"""Defect-free metal-like surfaces for the SynSurface data set.

SynSurface (issue 13, item 6) is a procedural stand-in for the metal
surfaces of the CAT paper's data sets (KSDD2, KSDD1, RSDD): grey images of
three surface finishes, every one a sum of layers drawn from the sample's
own random generator:

* ``'brushed'``: fine and coarse streaks along one direction, i.e. white
  noise motion-blurred along that direction (a box filter along it), plus a
  Perlin noise field stretched 4-12x along it (anisotropic noise);
* ``'cast'`` (cast or sand-blasted): isotropic Perlin blotches at two
  scales plus a fine Gaussian-blurred grain;
* ``'machined'``: tool marks, i.e. grooves ``sin(2 pi (r + w) / period)``
  around a far-away centre (turning or face-milling arcs, nearly straight
  when the centre is far), whose position ``w`` wobbles with a Perlin
  field, whose depth is modulated by another one, plus a fine grain.

Every surface then gets an illumination gradient (a linear ramp plus a broad
Gaussian lobe, like a light off to one side); sensor noise is added by the
generator after the defects (:mod:`.synsurface_generator`), so a defective
image and its defect-free version share it.

Perlin noise comes from the ``noise`` package (``noise.pnoise2``, five
octaves). Evaluating it per pixel would take ~10 ms per 128x128 field, so a
few tileable tiles are computed once per process (:func:`perlin_tile`, the
same for every seed) and each field is a random affine view of one of them:
random offset, rotation, scale and stretch, sampled with wrap-around
(:func:`noise_field`). Lengths are given in pixels at
:data:`REFERENCE_SIZE` and scaled with ``min(height, width)``.

Images are float32 in [0, 1] here; the generator quantises them to 8 bits.
"""
import functools

import cv2
import noise
import numpy as np

SURFACE_TYPES = ('brushed', 'cast', 'machined')
REFERENCE_SIZE = 128
"""Lengths in this module and in :mod:`.surface_defects` are pixels at this
size and scale with ``min(height, width) / REFERENCE_SIZE``."""

TILE_SIZE = 128
TILE_CELLS = 4
"""Perlin lattice cells across a tile at the first octave."""
TILE_OCTAVES = 5
NUM_TILES = 4

BASE_LEVELS = (0.35, 0.6)
"""Range of the mean grey level (0-1)."""
ILLUMINATION_SLOPES = (0.0, 0.2)
"""Range of the linear illumination ramp, grey-level change across the
image."""
ILLUMINATION_LOBES = (-0.05, 0.15)
"""Range of the peak of the broad light lobe."""


def unit_scale(shape):
    """Pixel lengths scale with ``min(height, width) / REFERENCE_SIZE``."""
    return min(shape[:2]) / REFERENCE_SIZE


@functools.lru_cache(maxsize=None)
def perlin_tile(base):
    """A tileable fBm Perlin tile from ``noise.pnoise2``.

    Args:
        base (int): The ``base`` of ``noise.pnoise2`` (selects its
            permutation); tiles ``0 .. NUM_TILES - 1`` are used.

    Returns:
        np.ndarray: ``(TILE_SIZE, TILE_SIZE)`` float32, zero mean, unit
        standard deviation, periodic in both axes (read-only; cached).
    """
    coords = (np.arange(TILE_SIZE) + 0.5) * (TILE_CELLS / TILE_SIZE)
    values = [
        noise.pnoise2(
            float(x),
            float(y),
            octaves=TILE_OCTAVES,
            persistence=0.5,
            lacunarity=2.0,
            repeatx=TILE_CELLS,
            repeaty=TILE_CELLS,
            base=int(base)) for y in coords for x in coords
    ]
    tile = np.asarray(values, np.float32).reshape(TILE_SIZE, TILE_SIZE)
    tile -= tile.mean()
    tile /= tile.std()
    tile.setflags(write=False)
    return tile


def _rotation(angle):
    return np.cos(angle), np.sin(angle)


def noise_field(shape, rng, cell, stretch=1.0, angle=None):
    """A Perlin noise field: a random affine view of a cached tile.

    Args:
        shape (tuple[int, int]): ``(height, width)``.
        rng (np.random.Generator): Draws the tile, the offset and (when
            ``angle`` is None) the orientation.
        cell (float): Output pixels spanned by one first-octave lattice cell
            across the stretch direction.
        stretch (float): How much longer the structures are along ``angle``
            than across it (1 = isotropic).
        angle (float | None): Direction of the stretch in radians.

    Returns:
        np.ndarray: ``(height, width)`` float32, about zero mean and unit
        standard deviation.
    """
    height, width = shape
    tile = perlin_tile(int(rng.integers(NUM_TILES)))
    if angle is None:
        angle = rng.uniform(0.0, np.pi)
    offset = rng.uniform(0.0, TILE_SIZE, 2)
    cos, sin = _rotation(angle)
    # tile pixels per output pixel across the stretch direction
    k = TILE_SIZE / TILE_CELLS / max(float(cell), 1e-3)
    along = k / max(float(stretch), 1e-3)
    matrix = np.array([[cos * along, sin * along, offset[0]],
                       [-sin * k, cos * k, offset[1]]], np.float64)
    return cv2.warpAffine(
        tile,
        matrix, (width, height),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_WRAP)


def grain_field(shape, rng, sigma):
    """Fine isotropic grain: Gaussian-blurred white noise, unit std."""
    white = rng.standard_normal(shape, dtype=np.float32)
    if sigma > 0.3:
        white = cv2.GaussianBlur(white, (0, 0), sigmaX=float(sigma))
    return white / max(float(white.std()), 1e-6)


def streak_field(shape, rng, length, angle, thickness=0.0):
    """Brushing streaks: white noise motion-blurred along ``angle``.

    White noise on a square canvas large enough for any rotation is
    box-filtered over ``length`` pixels along its x axis (a linear motion
    blur), optionally Gaussian-blurred across (``thickness``, the sigma in
    pixels), then rotated so the streaks run along ``angle``.

    Returns:
        np.ndarray: ``(height, width)`` float32 with unit standard deviation.
    """
    height, width = shape
    side = int(np.ceil(np.hypot(height, width))) + 4
    white = rng.standard_normal((side, side), dtype=np.float32)
    streaks = cv2.blur(white, (max(1, int(round(length))), 1))
    if thickness > 0.3:
        radius = int(np.ceil(3 * thickness))
        streaks = cv2.GaussianBlur(
            streaks, (1, 2 * radius + 1),
            sigmaX=1.0,
            sigmaY=float(thickness))
    cos, sin = _rotation(angle)
    cx, cy = (width - 1) / 2, (height - 1) / 2
    centre = (side - 1) / 2
    matrix = np.array([[cos, sin, centre - cos * cx - sin * cy],
                       [-sin, cos, centre + sin * cx - cos * cy]], np.float64)
    field = cv2.warpAffine(
        streaks,
        matrix, (width, height),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REFLECT)
    return field / max(float(field.std()), 1e-6)


@functools.lru_cache(maxsize=8)
def pixel_grid(shape):
    """``(x, y)`` float32 coordinate grids of ``shape`` (read-only)."""
    height, width = shape
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


ILLUMINATION_GRID = 32
"""The illumination is smooth: it is evaluated on a grid of at most this
many points per axis and resized bilinearly."""


def illumination(shape, rng):
    """A linear ramp plus a broad Gaussian light lobe (additive, 0-1 scale).

    Returns:
        tuple[np.ndarray, dict]: The field and its parameters.
    """
    height, width = shape
    grid_h, grid_w = min(height, ILLUMINATION_GRID), min(
        width, ILLUMINATION_GRID)
    # full-resolution coordinates of the grid points as cv2.resize places
    # them (pixel centres aligned)
    x = ((np.arange(grid_w, dtype=np.float32) + 0.5) * (width / grid_w) -
         0.5)[None, :]
    y = ((np.arange(grid_h, dtype=np.float32) + 0.5) * (height / grid_h) -
         0.5)[:, None]
    side = float(max(height, width))
    phi = rng.uniform(0.0, 2 * np.pi)
    slope = rng.uniform(*ILLUMINATION_SLOPES)
    cos, sin = _rotation(phi)
    field = (slope / side) * ((x - width / 2) * cos + (y - height / 2) * sin)
    centre = rng.uniform(-0.25, 1.25, 2) * (width, height)
    sigma = rng.uniform(0.3, 0.9) * side
    peak = rng.uniform(*ILLUMINATION_LOBES)
    lobe = np.exp(-((x - centre[0])**2 + (y - centre[1])**2) /
                  np.float32(2 * sigma**2))
    field = (field + np.float32(peak) * lobe).astype(np.float32)
    if (grid_h, grid_w) != (height, width):
        field = cv2.resize(
            field, (width, height), interpolation=cv2.INTER_LINEAR)
    params = dict(
        slope=round(float(slope), 4),
        direction=round(float(phi), 4),
        lobe_centre=[round(float(c), 2) for c in centre],
        lobe_sigma=round(float(sigma), 2),
        lobe_peak=round(float(peak), 4))
    return field, params


def _brushed(shape, rng, u):
    angle = rng.uniform(0.0, np.pi)
    fine_len = rng.uniform(10, 40) * u
    coarse_len = rng.uniform(30, 90) * u
    amps = rng.uniform((0.015, 0.01, 0.01), (0.05, 0.035, 0.04))
    layers = (
        amps[0] * streak_field(shape, rng, fine_len, angle) +
        amps[1] * streak_field(
            shape, rng, coarse_len, angle, thickness=rng.uniform(0.8, 2) * u)
        + amps[2] * noise_field(
            shape,
            rng,
            cell=rng.uniform(15, 45) * u,
            stretch=rng.uniform(4, 12),
            angle=angle))
    return layers, dict(
        angle=round(float(angle), 4),
        streak_lengths=[round(float(fine_len), 2),
                        round(float(coarse_len), 2)],
        amplitudes=[round(float(a), 4) for a in amps])


def _cast(shape, rng, u):
    amps = rng.uniform((0.02, 0.01, 0.015), (0.06, 0.03, 0.05))
    sigma = rng.uniform(0.5, 1.2) * u
    layers = (
        amps[0] * noise_field(shape, rng, cell=rng.uniform(20, 60) * u) +
        amps[1] * noise_field(shape, rng, cell=rng.uniform(4, 10) * u) +
        amps[2] * grain_field(shape, rng, sigma))
    return layers, dict(
        grain_sigma=round(float(sigma), 3),
        amplitudes=[round(float(a), 4) for a in amps])


def _machined(shape, rng, u):
    height, width = shape
    x, y = pixel_grid(shape)
    period = rng.uniform(3, 9) * u
    direction = rng.uniform(0.0, 2 * np.pi)
    distance = rng.uniform(1.2, 12) * max(height, width)
    cos, sin = _rotation(direction)
    cx = width / 2 + distance * cos
    cy = height / 2 + distance * sin
    wobble = rng.uniform(0.02, 0.1) * period * noise_field(
        shape, rng, cell=rng.uniform(40, 120) * u)
    radius = np.sqrt((x - np.float32(cx))**2 + (y - np.float32(cy))**2)
    phase = np.float32(2 * np.pi / period) * (radius + wobble)
    # a groove profile: flat lands, narrower dark cuts
    grooves = np.sin(phase)
    grooves = np.sign(grooves) * np.sqrt(np.abs(grooves))
    amps = rng.uniform((0.015, 0.005), (0.05, 0.02))
    depth = 1 + 0.4 * noise_field(shape, rng, cell=rng.uniform(20, 60) * u)
    layers = (amps[0] * grooves * depth +
              amps[1] * grain_field(shape, rng, 0.7 * u))
    return layers, dict(
        period=round(float(period), 3),
        centre_distance=round(float(distance), 1),
        centre_direction=round(float(direction), 4),
        amplitudes=[round(float(a), 4) for a in amps])


_RENDERERS = dict(brushed=_brushed, cast=_cast, machined=_machined)


def render_surface(kind, shape, rng):
    """Render a defect-free surface (without sensor noise).

    Args:
        kind (str): One of :data:`SURFACE_TYPES`.
        shape (tuple[int, int]): ``(height, width)``.
        rng (np.random.Generator): The sample's generator.

    Returns:
        tuple[np.ndarray, dict]: ``(height, width)`` float32 image in [0, 1]
        and the parameters drawn.
    """
    if kind not in _RENDERERS:
        raise ValueError(f'surface kind must be one of {SURFACE_TYPES}, '
                         f'got {kind!r}')
    shape = tuple(int(s) for s in shape[:2])
    base = rng.uniform(*BASE_LEVELS)
    layers, params = _RENDERERS[kind](shape, rng, unit_scale(shape))
    light, light_params = illumination(shape, rng)
    image = np.clip(np.float32(base) + layers + light, 0.0, 1.0)
    params = dict(
        kind=kind,
        base=round(float(base), 4),
        illumination=light_params,
        **params)
    return image.astype(np.float32, copy=False), params

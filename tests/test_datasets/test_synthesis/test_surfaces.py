import cv2
import noise
import numpy as np
import pytest

from mmdefect.datasets.synthesis import (SURFACE_TYPES, noise_field,
                                         perlin_tile, render_surface)
from mmdefect.datasets.synthesis.surfaces import (TILE_CELLS, TILE_OCTAVES,
                                                  TILE_SIZE, illumination,
                                                  pixel_grid, streak_field)


def test_perlin_tile_is_normalised_periodic_pnoise2():
    tile = perlin_tile(1)
    assert tile.shape == (TILE_SIZE, TILE_SIZE) and tile.dtype == np.float32
    assert abs(float(tile.mean())) < 1e-5
    assert abs(float(tile.std()) - 1) < 1e-5
    assert perlin_tile(1) is tile and not tile.flags.writeable
    # the tile is pnoise2 on a lattice of TILE_CELLS cells with repeat =
    # TILE_CELLS, so one period further along x or y gives the same value
    x, y = 0.3, 1.7
    args = dict(
        octaves=TILE_OCTAVES, repeatx=TILE_CELLS, repeaty=TILE_CELLS, base=1)
    value = noise.pnoise2(x, y, **args)
    assert noise.pnoise2(x + TILE_CELLS, y, **args) == pytest.approx(value)
    assert noise.pnoise2(x, y + TILE_CELLS, **args) == pytest.approx(value)
    # wrap-around continuity: the last column is as close to the first as
    # neighbouring columns are to each other
    seam = np.abs(tile[:, -1] - tile[:, 0]).mean()
    inner = np.abs(np.diff(tile, axis=1)).mean()
    assert seam < 2 * inner
    assert not np.array_equal(perlin_tile(0), tile)


def _gradients(field):
    return (np.abs(np.diff(field,
                           axis=1)).mean(), np.abs(np.diff(field,
                                                           axis=0)).mean())


def test_stretched_noise_and_streaks_are_anisotropic():
    rng = np.random.default_rng(0)
    iso = noise_field((96, 96), rng, cell=12)
    gx, gy = _gradients(iso)
    assert 0.6 < gx / gy < 1.6
    along_x = noise_field((96, 96), rng, cell=12, stretch=8, angle=0.0)
    gx, gy = _gradients(along_x)
    assert gx < gy / 3  # structures run along x
    along_y = noise_field((96, 96), rng, cell=12, stretch=8, angle=np.pi / 2)
    gx, gy = _gradients(along_y)
    assert gy < gx / 3
    streaks = streak_field((96, 96), rng, length=30, angle=0.0)
    assert abs(float(streaks.std()) - 1) < 1e-3
    gx, gy = _gradients(streaks)
    assert gx < gy / 4


def test_illumination_grid_matches_the_exact_field():
    shape = (100, 140)
    rng = np.random.default_rng(3)
    field, params = illumination(shape, rng)
    x, y = pixel_grid(shape)
    side = max(shape)
    cos, sin = np.cos(params['direction']), np.sin(params['direction'])
    cx, cy = params['lobe_centre']
    exact = (params['slope'] / side) * (
        (x - shape[1] / 2) * cos +
        (y - shape[0] / 2) * sin) + params['lobe_peak'] * np.exp(-(
            (x - cx)**2 + (y - cy)**2) / (2 * params['lobe_sigma']**2))
    assert field.shape == shape
    # parameters are rounded in the record; the field uses full precision
    assert np.abs(field - exact).max() < 2e-3


@pytest.mark.parametrize('kind', SURFACE_TYPES)
def test_render_surface_deterministic_and_in_range(kind):
    a, params = render_surface(kind, (48, 64), np.random.default_rng(5))
    b, _ = render_surface(kind, (48, 64), np.random.default_rng(5))
    c, _ = render_surface(kind, (48, 64), np.random.default_rng(6))
    assert a.shape == (48, 64) and a.dtype == np.float32
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert 0 <= a.min() and a.max() <= 1 and a.std() > 0.005
    assert params['kind'] == kind and 'illumination' in params


def _directional_step(image, angle):
    """Mean |I(p + u) - I(p)| over the centre, u the unit vector."""
    u = (np.cos(angle), np.sin(angle))
    shift = np.float32([[1, 0, u[0]], [0, 1, u[1]]])
    moved = cv2.warpAffine(
        image,
        shift,
        image.shape[::-1],
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    return np.abs(moved - image)[8:-8, 8:-8].mean()


def test_brushed_surface_runs_along_its_angle():
    rng = np.random.default_rng(11)
    for _ in range(6):
        image, params = render_surface('brushed', (96, 96), rng)
        angle = params['angle']
        along = _directional_step(image, angle)
        across = _directional_step(image, angle + np.pi / 2)
        assert along < 0.6 * across


def test_unknown_surface():
    with pytest.raises(ValueError, match='brushed'):
        render_surface('polished', (32, 32), np.random.default_rng(0))

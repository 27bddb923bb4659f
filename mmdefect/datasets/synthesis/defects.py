"""Line and abnormal-point (abpt) defect geometry for SynLCD.

Follows the CADNet paper, Datasets ("Synthetic LCD defect dataset") and
Table 1:

* line defects: "we first divide the clean image into K areas. Next, in each
  area, we draw a line with random color, transparency, and width. These
  lines traverse the screen";
* abnormal points: "we vary the grayscale threshold from 50 to 200 to obtain
  segmentation results at each threshold. From these segmentation results, we
  extract a set of edge points. Subsequently, we randomly cluster these points
  using K-means clustering, assigning each subclass a random color, scale,
  and transparency";
* Table 1: colours black/white/red/green/blue, opacity 10 %-100 % in 10 %
  steps, width 3-33 pixels in steps of 3.

Lengths the paper gives in pixels (line width, abpt dot radius) refer to its
512 x 512 working resolution and are scaled by ``min(height, width) / 512``
(at least 1 pixel), so a 512 x 512 sample uses exactly the paper's values.
Values the paper leaves open (K, number of clusters, dot count and radius)
are ours and are marked as such below.

This module only decides *where* and *how* each defect looks; blending it
into the screen is :mod:`.fusion`'s job.
"""
from dataclasses import dataclass, field

import cv2
import numpy as np

LINE = 1
ABPT = 2
LABEL_NAMES = {0: 'background', LINE: 'line', ABPT: 'abpt'}

REFERENCE_SIZE = 512
"""Working resolution of the paper (Implementation details: 512 x 512)."""

DEFECT_COLOURS = {
    'black': (0, 0, 0),
    'white': (255, 255, 255),
    'red': (0, 0, 255),
    'green': (0, 255, 0),
    'blue': (255, 0, 0),
}
"""Table 1, Defect/color: the five defect colours (BGR values)."""

OPACITIES = tuple(round(0.1 * i, 1) for i in range(1, 11))
"""Table 1, Defect/opacity: 10 %-100 % in 10 % steps."""

LINE_WIDTHS = tuple(range(3, 34, 3))
"""Table 1, Defect/width: 3-33 pixels (at 512 px) in steps of 3."""

LINE_AREAS = (1, 2, 3)
"""K, the number of screen areas with one line each (paper: "K areas", value
not given; our choice)."""

ABPT_THRESHOLDS = tuple(range(50, 201, 10))
"""Datasets section: grey-level thresholds "from 50 to 200" (step ours)."""

ABPT_CLUSTERS = (4, 10)
"""Inclusive range of the K-means cluster count (ours; not in the paper)."""

ABPT_SELECTED = (1, 4)
"""Inclusive range of how many clusters become abpt blobs (ours)."""

ABPT_DOTS = (3, 12)
"""Inclusive range of dots per blob, taken nearest the cluster centre
(ours)."""

ABPT_RADII = (2, 8)
"""Inclusive range of the blob dot radius, the paper's per-cluster "scale",
in pixels at 512 px (ours)."""

ABPT_MAX_POINTS = 1500
"""Edge points fed to K-means at most (a random subset; ours, for speed)."""


@dataclass
class Defect:
    """One defect instance: its geometry, appearance and statistics.

    Attributes:
        kind (int): :data:`LINE` or :data:`ABPT` (its label value).
        bbox (tuple[int, int, int, int]): ``(x0, y0, x1, y1)`` (end
            exclusive) of ``mask`` in the image.
        mask (np.ndarray): Boolean geometry inside ``bbox``; exactly the
            pixels labelled ``kind``.
        colour (str): Key of :data:`DEFECT_COLOURS`.
        opacity (float): One of :data:`OPACITIES`.
        params (dict): JSON-serialisable shape parameters for the manifest.
    """

    kind: int
    bbox: tuple
    mask: np.ndarray
    colour: str
    opacity: float
    params: dict = field(default_factory=dict)

    @property
    def bgr(self):
        return DEFECT_COLOURS[self.colour]


def _scale(shape):
    return min(shape[:2]) / REFERENCE_SIZE


def _scaled(length, shape):
    return max(1, int(round(length * _scale(shape))))


def _appearance(rng):
    colour = list(DEFECT_COLOURS)[int(rng.integers(len(DEFECT_COLOURS)))]
    opacity = OPACITIES[int(rng.integers(len(OPACITIES)))]
    return colour, opacity


def sample_line_defects(shape, rng):
    """Sample the line defects of one sample.

    The screen is cut into K equal strips along a random axis; each strip
    gets one straight line parallel to the strip that traverses the whole
    screen, with its own colour, opacity and width (Datasets section and
    Table 1).

    Args:
        shape (tuple): ``(height, width, ...)`` of the image.
        rng (np.random.Generator): Per-sample random generator.

    Returns:
        list[Defect]: K line defects.
    """
    h, w = shape[:2]
    k = int(rng.choice(LINE_AREAS))
    vertical = bool(rng.integers(2))
    extent = w if vertical else h
    edges = np.linspace(0, extent, k + 1).round().astype(int)
    defects = []
    for area in range(k):
        colour, opacity = _appearance(rng)
        width_ref = int(rng.choice(LINE_WIDTHS))
        width = min(_scaled(width_ref, shape), extent)
        lo, hi = int(edges[area]), int(edges[area + 1])
        start = int(rng.integers(lo, max(lo + 1, hi - width + 1)))
        start = min(start, extent - width)
        if vertical:
            bbox = (start, 0, start + width, h)
        else:
            bbox = (0, start, w, start + width)
        mask = np.ones((bbox[3] - bbox[1], bbox[2] - bbox[0]), bool)
        defects.append(
            Defect(
                LINE, bbox, mask, colour, opacity,
                dict(
                    orientation='vertical' if vertical else 'horizontal',
                    area=area,
                    areas=k,
                    position=start,
                    width_ref_px=width_ref,
                    width_px=width)))
    return defects


def edge_points(gray, threshold):
    """Edge points of the grey image thresholded at ``threshold``.

    Returns an ``(N, 2)`` int array of ``(x, y)``: pixels on the boundary of
    the ``gray > threshold`` segmentation (morphological gradient).
    """
    binary = (gray > threshold).astype(np.uint8)
    boundary = cv2.morphologyEx(binary, cv2.MORPH_GRADIENT,
                                np.ones((3, 3), np.uint8))
    ys, xs = np.nonzero(boundary)
    return np.stack([xs, ys], axis=1)


def sample_abpt_defects(gray, rng, edge_cache=None):
    """Sample the abnormal-point defects of one sample.

    A threshold from :data:`ABPT_THRESHOLDS` segments the clean grey image;
    the segmentation's edge points (falling back to the union over all
    thresholds, then to all pixels, for flat images) are clustered with
    ``cv2.kmeans``; :data:`ABPT_SELECTED` random clusters each become a blob
    of dots of one colour, opacity and radius centred on the cluster members
    nearest the cluster centre (Datasets section, Table 1).

    Args:
        gray (np.ndarray): ``(H, W)`` uint8 grey version of the clean image.
        rng (np.random.Generator): Per-sample random generator.
        edge_cache (dict | None): Optional ``threshold -> points`` cache for
            this clean image (the result does not depend on it).

    Returns:
        list[Defect]: One defect per selected cluster.
    """
    h, w = gray.shape
    threshold = int(rng.choice(ABPT_THRESHOLDS))

    def points_at(t):
        if edge_cache is None:
            return edge_points(gray, t)
        if t not in edge_cache:
            edge_cache[t] = edge_points(gray, t)
        return edge_cache[t]

    points = points_at(threshold)
    if len(points) == 0:
        points = np.unique(
            np.concatenate([points_at(t) for t in ABPT_THRESHOLDS]), axis=0)
    if len(points) == 0:
        ys, xs = np.mgrid[0:h, 0:w]
        points = np.stack([xs.ravel(), ys.ravel()], axis=1)
    if len(points) > ABPT_MAX_POINTS:
        points = points[np.sort(
            rng.choice(len(points), ABPT_MAX_POINTS, replace=False))]

    clusters = min(
        int(rng.integers(ABPT_CLUSTERS[0], ABPT_CLUSTERS[1] + 1)), len(points))
    init = rng.integers(0, clusters, len(points)).astype(np.int32)
    init[:clusters] = np.arange(clusters, dtype=np.int32)
    _, labels, centres = cv2.kmeans(
        points.astype(np.float32), clusters, init.reshape(-1, 1),
        (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 0.5), 1,
        cv2.KMEANS_USE_INITIAL_LABELS)
    labels = labels.ravel()
    occupied = np.unique(labels)
    chosen = rng.choice(
        occupied,
        min(
            int(rng.integers(ABPT_SELECTED[0], ABPT_SELECTED[1] + 1)),
            len(occupied)),
        replace=False)

    defects = []
    for cluster in np.sort(chosen):
        colour, opacity = _appearance(rng)
        radius_ref = int(rng.integers(ABPT_RADII[0], ABPT_RADII[1] + 1))
        radius = _scaled(radius_ref, gray.shape)
        members = points[labels == cluster]
        dist = np.hypot(*(members - centres[cluster]).T)
        n_dots = min(
            int(rng.integers(ABPT_DOTS[0], ABPT_DOTS[1] + 1)), len(members))
        dots = members[np.argsort(dist, kind='stable')[:n_dots]]
        x0 = max(int(dots[:, 0].min()) - radius, 0)
        y0 = max(int(dots[:, 1].min()) - radius, 0)
        x1 = min(int(dots[:, 0].max()) + radius + 1, w)
        y1 = min(int(dots[:, 1].max()) + radius + 1, h)
        canvas = np.zeros((y1 - y0, x1 - x0), np.uint8)
        for x, y in dots:
            cv2.circle(canvas, (int(x) - x0, int(y) - y0), radius, 1, -1)
        defects.append(
            Defect(
                ABPT, (x0, y0, x1, y1), canvas.astype(bool), colour, opacity,
                dict(
                    threshold=threshold,
                    clusters=clusters,
                    cluster=int(cluster),
                    dots=int(n_dots),
                    radius_ref_px=radius_ref,
                    radius_px=radius,
                    centre=[round(float(c), 1) for c in centres[cluster]])))
    return defects


def rasterise_label(shape, defects):
    """Label map (uint8, 0/1/2) of ``defects``; abpt drawn over lines."""
    label = np.zeros(shape[:2], np.uint8)
    for kind in (LINE, ABPT):
        for defect in defects:
            if defect.kind == kind:
                x0, y0, x1, y1 = defect.bbox
                label[y0:y1, x0:x1][defect.mask] = kind
    return label

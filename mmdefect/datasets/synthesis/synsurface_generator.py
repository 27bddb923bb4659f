"""SynSurface generator: split planning, per-sample rendering, file output.

SynSurface is the procedural metal-surface set of issue 13 (item 6) for
unsupervised, CAT-style training: defect-free training images, a validation
split that is mostly defect-free (to calibrate a normal-data quantile
threshold, see ``SynSurfaceDataset(normal_only=True)``) with a few defective
images, and a test split about half defective. Surfaces come from
:mod:`.surfaces`, defects from :mod:`.surface_defects`.

Split plan (:func:`plan_surface_split`): ``train`` is defect-free;
``val`` has ``num // 5`` defective samples; ``test`` has ``num - num // 2``.
Defective samples come first (indices ``0 ..``), their defect types dealt
in turn (scratch, pit, stain, crack), then the defect-free ones; surface
finishes are dealt in turn over all samples of a split (brushed, cast,
machined), so every finish appears with every defect type.

A sample is rendered as: surface (with illumination), then the defects
(one, or with probability 1/4 a second one of another random type), then
sensor noise (Gaussian, sigma 0.8-3 grey levels), then 8-bit quantisation.
The defect-free version of a defective sample (same surface, same sensor
noise) is available from :func:`render_surface_sample` for tests; the
label is the union of the defects' labels, written as a mask of 0 (normal)
and 255 (defect) like the KSDD masks.

Determinism: sample ``i`` of split ``s`` draws everything from
``np.random.default_rng(SeedSequence(seed, spawn_key=(s, i)))``; the Perlin
tiles are the same for every seed and process, and OpenCV's RNG is never
used, so the files and the manifest do not depend on ``workers``. Workers
come from the fork server of :mod:`.writing` (``spawn`` where there is none)
and keep OpenCV single-threaded; a script calling
:meth:`SynSurfaceGenerator.run` with ``workers > 1`` needs an
``if __name__ == '__main__':`` guard.
"""
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .surface_defects import DEFECT_TYPES, add_defect
from .surfaces import SURFACE_TYPES, render_surface
from .writing import (LineProgress, check_size, encode_png,
                      prepare_output_dir, render_all, split_rng,
                      write_manifest)

SPLITS = ('train', 'val', 'test')
NORMAL = 'normal'
SAMPLE_KINDS = DEFECT_TYPES + (NORMAL, )
OUTPUT_DIRS = ('img_dir', 'ann_dir')
MANIFEST = 'manifest.json'
MIN_SIZE = 32
MASK_VALUE = 255
"""Value of defect pixels in the written masks (0 elsewhere), the
convention of KSDD1/KSDD2 masks, read back with a threshold of 127."""
SENSOR_NOISE = (0.8 / 255, 3.0 / 255)
"""Range of the sensor noise sigma (0-1 grey scale)."""
SECOND_DEFECT_PROB = 0.25
DEFAULT_COUNTS = dict(num_train=2000, num_val=200, num_test=400)
_PNG = [cv2.IMWRITE_PNG_COMPRESSION, 1]


@dataclass(frozen=True)
class SurfaceSpec:
    """One sample: its split, index, surface finish and kind."""

    split: str
    index: int
    surface: str
    kind: str

    @property
    def stem(self):
        return f'{self.index:05d}_{self.surface}_{self.kind}'


def num_defective(split, num):
    """How many of a split's ``num`` samples are defective."""
    if split == 'train':
        return 0
    if split == 'val':
        return num // 5
    if split == 'test':
        return num - num // 2
    raise ValueError(f'split must be one of {SPLITS}, got {split!r}')


def plan_surface_split(split, num):
    """The deterministic sample list of one split (see module docstring)."""
    defective = num_defective(split, num)
    kinds = [DEFECT_TYPES[i % len(DEFECT_TYPES)] for i in range(defective)]
    kinds += [NORMAL] * (num - defective)
    return [
        SurfaceSpec(split, i, SURFACE_TYPES[i % len(SURFACE_TYPES)], kind)
        for i, kind in enumerate(kinds)
    ]


def surface_rng(seed, split, index):
    """Random generator of one sample, independent of everything else."""
    return split_rng(seed, SPLITS, split, index)


def _quantise(image):
    return np.clip(image * 255 + 0.5, 0, 255).astype(np.uint8)


def render_surface_sample(surface, kind, size, rng):
    """Render one sample.

    Args:
        surface (str): One of ``SURFACE_TYPES``.
        kind (str): One of :data:`SAMPLE_KINDS` (``'normal'`` or a defect
            type, the first defect of the sample).
        size (tuple[int, int]): ``(height, width)``.
        rng (np.random.Generator): The sample's generator.

    Returns:
        tuple: ``(image, label, clean, record)``: uint8 ``(H, W)`` grey
        image, uint8 label (0/1), the same sample without its defects
        (identical to ``image`` for ``'normal'``) and the sample's
        statistics.
    """
    if kind not in SAMPLE_KINDS:
        raise ValueError(f'kind must be one of {SAMPLE_KINDS}, got {kind!r}')
    clean, surface_params = render_surface(surface, size, rng)
    image = clean
    label = np.zeros(clean.shape, bool)
    defects = []
    if kind != NORMAL:
        kinds = [kind]
        if rng.random() < SECOND_DEFECT_PROB:
            others = [k for k in DEFECT_TYPES if k != kind]
            kinds.append(others[int(rng.integers(len(others)))])
        for defect_kind in kinds:
            image, mask, record = add_defect(image, defect_kind, rng)
            label |= mask
            defects.append(record)
    sigma = rng.uniform(*SENSOR_NOISE)
    sensor = rng.standard_normal(clean.shape, dtype=np.float32)
    sensor *= np.float32(sigma)
    clean_u8 = _quantise(clean + sensor)
    image_u8 = clean_u8 if kind == NORMAL else _quantise(image + sensor)
    record = dict(
        surface=surface_params,
        defects=defects,
        label_pixels=int(label.sum()),
        sensor_sigma=round(float(sigma), 5))
    return image_u8, label.astype(np.uint8), clean_u8, record


class _Renderer:
    """Renders and writes samples; one instance per process."""

    def __init__(self, out_dir, seed, size):
        self.out_dir = Path(out_dir)
        self.seed = seed
        self.size = size

    def __call__(self, spec):
        rng = surface_rng(self.seed, spec.split, spec.index)
        image, label, _, stats = render_surface_sample(
            spec.surface, spec.kind, self.size, rng)
        name = f'{spec.stem}.png'
        (self.out_dir / 'img_dir' / spec.split / name).write_bytes(
            encode_png(image, _PNG))
        (self.out_dir / 'ann_dir' / spec.split / name).write_bytes(
            encode_png(label * np.uint8(MASK_VALUE), _PNG))
        return dict(
            stem=spec.stem,
            split=spec.split,
            index=spec.index,
            kind=spec.kind,
            **stats)


def check_counts(num_train, num_val, num_test):
    """Reject counts that give an unusable split (see the CLI help)."""
    for name, value, low in (('num_train', num_train, 1),
                             ('num_val', num_val, 1), ('num_test', num_test,
                                                       2)):
        if int(value) != value or value < low:
            raise ValueError(f'{name} must be an integer >= {low}, got '
                             f'{value!r}')


class SynSurfaceGenerator:
    """Procedural generator of the SynSurface data set.

    Output layout::

        out_dir/img_dir/{train,val,test}/<stem>.png  grey surface image
        out_dir/ann_dir/{train,val,test}/<stem>.png  mask: 0 normal, 255 defect
        out_dir/manifest.json                        seed, parameters, samples

    ``<stem>`` is ``<index>_<surface>_<kind>``, e.g. ``00012_cast_pit`` or
    ``00040_brushed_normal``. Training pairs are self-references (CAT): the
    data set reads each image as its own reference.

    Args:
        out_dir (str | Path): Output folder; it must not exist or be empty
            unless ``overwrite``.
        num_train (int): Training samples (defect-free), >= 1.
        num_val (int): Validation samples (``num_val // 5`` defective), >= 1.
        num_test (int): Test samples (``num_test - num_test // 2``
            defective), >= 2.
        size (int | tuple[int, int]): ``(height, width)``, each >= 32.
            Defaults to 256, CAT's input size.
        seed (int): Data set seed.
        workers (int): Worker processes; the output does not depend on it.
        overwrite (bool): Replace the generator's outputs (``img_dir``,
            ``ann_dir``, ``manifest.json``) in a non-empty ``out_dir``;
            other files there are left alone.
    """

    def __init__(self,
                 out_dir,
                 num_train=DEFAULT_COUNTS['num_train'],
                 num_val=DEFAULT_COUNTS['num_val'],
                 num_test=DEFAULT_COUNTS['num_test'],
                 size=256,
                 seed=0,
                 workers=1,
                 overwrite=False):
        check_counts(num_train, num_val, num_test)
        if workers < 1:
            raise ValueError(f'workers must be >= 1, got {workers}')
        self.out_dir = Path(out_dir)
        self.counts = dict(
            train=int(num_train), val=int(num_val), test=int(num_test))
        self.size = check_size(size, MIN_SIZE)
        self.seed = int(seed)
        self.workers = int(workers)
        self.overwrite = overwrite
        self.specs = [
            spec for split in SPLITS
            for spec in plan_surface_split(split, self.counts[split])
        ]

    def parameters(self):
        """Generation parameters, for the manifest."""
        return dict(
            size=list(self.size),
            num_train=self.counts['train'],
            num_val=self.counts['val'],
            num_test=self.counts['test'],
            surfaces=list(SURFACE_TYPES),
            defect_types=list(DEFECT_TYPES),
            second_defect_prob=SECOND_DEFECT_PROB,
            sensor_noise_sigma=[round(s, 6) for s in SENSOR_NOISE],
            counts={
                split: {
                    kind: sum(1 for s in self.specs
                              if s.split == split and s.kind == kind)
                    for kind in SAMPLE_KINDS
                }
                for split in SPLITS
            })

    def run(self, progress=True, stream=None):
        """Generate every sample and write the manifest.

        Args:
            progress (bool): Report progress (see :class:`LineProgress`).
            stream: Where progress goes (default ``sys.stderr``).

        Returns:
            dict: The manifest written to ``manifest.json``.
        """
        prepare_output_dir(self.out_dir, self.overwrite, OUTPUT_DIRS, SPLITS,
                           MANIFEST, 'SynSurface')
        init_args = (str(self.out_dir), self.seed, self.size)
        bar = LineProgress(
            len(self.specs), stream, prefix='SynSurface: ') if progress \
            else None
        records = render_all(_Renderer, init_args, self.specs, self.workers,
                             bar)
        return write_manifest(
            self.out_dir, MANIFEST,
            dict(
                dataset='SynSurface',
                generator='mmdefect.datasets.synthesis.SynSurfaceGenerator',
                seed=self.seed,
                parameters=self.parameters(),
                samples=records))

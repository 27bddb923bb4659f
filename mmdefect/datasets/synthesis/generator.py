"""SynLCD generator: split planning, per-sample rendering and file output.

Split arithmetic (CADNet paper, Datasets, "Synthetic LCD defect dataset",
and Table 1). The text says: "we generate 300 defective and defect-free
samples for each clean image ... In total, there are 4,200 training samples
(seven standard background patterns and 600 samples for each pattern) and
1,800 testing samples", i.e. 600 samples per pattern, ten patterns, seven
for training (7 x 600 = 4,200) and the other three for testing
(3 x 600 = 1,800). Table 1 lists three defect types (line, abpt, mixed),
"Defect Samples 10 x 300 x 3" and "Nondefect Samples 10 x 900", which add up
to 18,000 and contradict the stated 6,000 totals. We follow the totals of
the text and keep both of its balances: per pattern, half of the samples are
defect-free and half defective, and the defective half is split evenly over
the three types. At the paper's counts every pattern gets
100 line + 100 abpt + 100 mixed + 300 defect-free = 600 samples.

For any counts (``num_train``/``num_test``) a split is planned as a whole:
``num // 2`` samples are defect-free and the other ``num - num // 2``
defective, spread evenly over the enabled defect types (earlier types take
the remainder); the samples, listed type by type, are dealt to the split's
patterns in turn. So every pattern gets the same number of samples (+-1) and
of each type (+-1), and at the paper's counts the result is exactly the
per-pattern 100/100/100/300 above. ``defect_mix`` enables the types:
``'all'`` (line, abpt, mixed; the paper's set), or ``'line'``, ``'abpt'``,
``'mixed'`` alone; the single-type sets make the paper's cross tests
(Fig. 6: train on L or A, test on L or A) with the same pattern split.

The inspected image follows Eq. (1), ``x_ng = sigma(x_ok [+] x_defect)``:
defects are fused into the clean pattern, then the global screen transform
``sigma`` is applied; defect-free samples get ``sigma`` too (Table 1:
"variation in brightness and contrast"). The reference is the clean pattern
itself, untransformed: the paper feeds "the corresponding clean image" (one
of its ten fixed clean images, Implementation details) as the defect-free
input, and Eq. (3) is built on the model removing ``sigma`` by comparison
with it.
So inspected and reference differ at every pixel in general; only with
``screen_transform=False`` are they equal away from the defects.

Determinism: sample ``i`` of split ``s`` draws all its randomness from
``np.random.default_rng(SeedSequence(seed, spawn_key=(s, i)))`` and OpenCV's
own RNG is never used, so the files do not depend on the worker count or on
which samples a worker renders before it. Worker processes come from a fork
server (``spawn`` where there is none) and keep OpenCV single-threaded; as
with any multiprocessing code, a script that calls :meth:`SynLCDGenerator.run`
with ``workers > 1`` needs an ``if __name__ == '__main__':`` guard.
"""
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .defects import (ABPT, ABPT_CLUSTERS, ABPT_DOTS, ABPT_RADII,
                      ABPT_SELECTED, ABPT_THRESHOLDS, DEFECT_COLOURS, LINE,
                      LINE_AREAS, LINE_WIDTHS, OPACITIES, rasterise_label,
                      sample_abpt_defects, sample_line_defects)
from .fusion import (BLUR_SIGMAS, BRIGHTNESS_BIASES, CONTRASTS,
                     ISO_INTENSITIES, OVERLAY_MODES, RGB_DEVIATIONS,
                     apply_screen_transform, fuse_defects,
                     sample_screen_params)
from .patterns import builtin_patterns, load_pattern_dir
from .writing import (LineProgress, check_size, encode_png,
                      prepare_output_dir, render_all, split_rng,
                      write_manifest)

SPLITS = ('train', 'test')
SAMPLE_KINDS = ('line', 'abpt', 'mixed', 'defect_free')
DEFECT_MIXES = {
    'all': ('line', 'abpt', 'mixed'),
    'line': ('line', ),
    'abpt': ('abpt', ),
    'mixed': ('mixed', ),
}
PAPER_NUM_TRAIN = 4200
PAPER_NUM_TEST = 1800
OUTPUT_DIRS = ('img_dir', 'ref_dir', 'ann_dir')
MANIFEST = 'manifest.json'

# Noisy inspected images barely compress: Huffman-only coding after the
# 'up' filter is ~2x faster than zlib's defaults for the same size.
_PNG_FAST = [
    cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_STRATEGY,
    cv2.IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY, cv2.IMWRITE_PNG_FILTER,
    cv2.IMWRITE_PNG_FILTER_UP
]
# Clean references and labels compress well with zlib defaults.
_PNG_COMPACT = [cv2.IMWRITE_PNG_COMPRESSION, 3]


@dataclass(frozen=True)
class SampleSpec:
    """What one sample is: its split, index, pattern and defect kind."""

    split: str
    index: int
    pattern: int
    kind: str

    @property
    def stem(self):
        return f'p{self.pattern:02d}_{self.kind}_{self.index:05d}'


def _even(total, parts):
    base, extra = divmod(total, parts)
    return [base + (i < extra) for i in range(parts)]


def plan_split(split, num, patterns, defect_mix='all'):
    """The deterministic sample list of one split (see module docstring).

    Args:
        split (str): ``'train'`` or ``'test'``.
        num (int): Number of samples.
        patterns (Sequence[int]): Pattern indices of this split.
        defect_mix (str): Key of :data:`DEFECT_MIXES`.

    Returns:
        list[SampleSpec]: ``num`` specs, indexed ``0 .. num - 1``.
    """
    if defect_mix not in DEFECT_MIXES:
        raise ValueError(f'defect_mix must be one of {list(DEFECT_MIXES)}, '
                         f'got {defect_mix!r}')
    patterns = list(patterns)
    if num and not patterns:
        raise ValueError(f'the {split} split has {num} samples but no '
                         'patterns')
    kinds = DEFECT_MIXES[defect_mix] + ('defect_free', )
    free = num // 2
    counts = _even(num - free, len(kinds) - 1) + [free]
    sequence = [kind for kind, n in zip(kinds, counts) for _ in range(n)]
    assigned = [(patterns[i % len(patterns)], kind)
                for i, kind in enumerate(sequence)]
    order = sorted(
        range(num), key=lambda i: (patterns.index(assigned[i][0]), i))
    return [
        SampleSpec(split, index, *assigned[i]) for index, i in enumerate(order)
    ]


def sample_rng(seed, split, index):
    """Random generator of one sample, independent of everything else."""
    return split_rng(seed, SPLITS, split, index)


def _defect_stats(defect, fusion_record):
    x0, y0, x1, y1 = defect.bbox
    return dict(
        type='line' if defect.kind == LINE else 'abpt',
        bbox=[int(x0), int(y0), int(x1), int(y1)],
        pixels=int(defect.mask.sum()),
        colour=defect.colour,
        opacity=defect.opacity,
        **defect.params,
        **fusion_record)


def render_sample(clean,
                  kind,
                  rng,
                  screen_transform=True,
                  gray=None,
                  edge_cache=None):
    """Render one inspected image and its label from a clean pattern.

    Args:
        clean (np.ndarray): ``(H, W, 3)`` uint8 BGR clean pattern.
        kind (str): One of :data:`SAMPLE_KINDS`.
        rng (np.random.Generator): The sample's generator.
        screen_transform (bool): Apply the global screen transform (the
            paper always does; disable only for controlled experiments).
        gray (np.ndarray | None): Grey version of ``clean`` (computed when
            None).
        edge_cache (dict | None): Per-pattern edge-point cache.

    Returns:
        tuple[np.ndarray, np.ndarray, dict]: Inspected BGR image, uint8
        label (0 background, 1 line, 2 abpt) and the sample's statistics.
    """
    if kind not in SAMPLE_KINDS:
        raise ValueError(f'kind must be one of {SAMPLE_KINDS}, got {kind!r}')
    defects = []
    if kind in ('line', 'mixed'):
        defects += sample_line_defects(clean.shape, rng)
    if kind in ('abpt', 'mixed'):
        if gray is None:
            gray = cv2.cvtColor(clean, cv2.COLOR_BGR2GRAY)
        defects += sample_abpt_defects(gray, rng, edge_cache)
    image, fusion_records = fuse_defects(clean, defects, rng)
    label = rasterise_label(clean.shape, defects)
    screen = None
    if screen_transform:
        params = sample_screen_params(rng)
        image = apply_screen_transform(image, params, rng)
        screen = params.to_dict()
    stats = dict(
        defects=[_defect_stats(d, r) for d, r in zip(defects, fusion_records)],
        label_pixels=dict(
            line=int((label == LINE).sum()), abpt=int((label == ABPT).sum())),
        screen=screen)
    return image, label, stats


class _Renderer:
    """Renders and writes samples; one instance per process."""

    def __init__(self, out_dir, seed, patterns, screen_transform):
        self.out_dir = Path(out_dir)
        self.seed = seed
        self.patterns = patterns
        self.screen_transform = screen_transform
        self.grays = [cv2.cvtColor(p, cv2.COLOR_BGR2GRAY) for p in patterns]
        self.edge_caches = [{} for _ in patterns]
        self.ref_png = {}

    def __call__(self, spec):
        rng = sample_rng(self.seed, spec.split, spec.index)
        image, label, stats = render_sample(self.patterns[spec.pattern],
                                            spec.kind, rng,
                                            self.screen_transform,
                                            self.grays[spec.pattern],
                                            self.edge_caches[spec.pattern])
        if spec.pattern not in self.ref_png:
            self.ref_png[spec.pattern] = encode_png(
                self.patterns[spec.pattern], _PNG_COMPACT)
        name = f'{spec.stem}.png'
        (self.out_dir / 'img_dir' / spec.split / name).write_bytes(
            encode_png(image, _PNG_FAST))
        (self.out_dir / 'ref_dir' / spec.split / name).write_bytes(
            self.ref_png[spec.pattern])
        (self.out_dir / 'ann_dir' / spec.split / name).write_bytes(
            encode_png(label, _PNG_COMPACT))
        return dict(
            stem=spec.stem,
            split=spec.split,
            index=spec.index,
            pattern=spec.pattern,
            kind=spec.kind,
            **stats)


class SynLCDGenerator:
    """Procedural generator of the SynLCD data set (CADNet paper).

    Output layout::

        out_dir/img_dir/{train,test}/<stem>.png  inspected image (BGR)
        out_dir/ref_dir/{train,test}/<stem>.png  clean reference (BGR)
        out_dir/ann_dir/{train,test}/<stem>.png  label, 0 bg / 1 line / 2 abpt
        out_dir/manifest.json                    seed, parameters, samples

    ``<stem>`` is ``p<pattern>_<kind>_<index>``, e.g.
    ``p03_abpt_00120``.

    Args:
        out_dir (str | Path): Output folder. It must not exist or be empty
            unless ``overwrite``.
        num_train (int): Training samples. Defaults to the paper's 4,200.
        num_test (int): Test samples. Defaults to the paper's 1,800.
        size (int | tuple[int, int]): ``(height, width)`` of every image.
            Defaults to the paper's 512.
        seed (int): Data set seed.
        workers (int): Worker processes; the output does not depend on it.
        holdout_patterns (Sequence[int] | None): Test pattern indices; the
            others are training patterns. None holds out the last 30 % of the
            patterns (at least one), i.e. patterns 7, 8, 9 of the built-in
            ten (the paper holds out three of ten; which ones is not said).
        defect_mix (str): ``'all'``, ``'line'``, ``'abpt'`` or ``'mixed'``.
        pattern_dir (str | Path | None): Folder of the user's clean images,
            used instead of the ten built-in patterns.
        overwrite (bool): Replace the generator's outputs (``img_dir``,
            ``ref_dir``, ``ann_dir``, ``manifest.json``) in a non-empty
            ``out_dir``; other files there are left alone.
        screen_transform (bool): Apply the global screen transform. Always
            on in the paper; off only for controlled experiments.
    """

    def __init__(self,
                 out_dir,
                 num_train=PAPER_NUM_TRAIN,
                 num_test=PAPER_NUM_TEST,
                 size=512,
                 seed=0,
                 workers=1,
                 holdout_patterns=None,
                 defect_mix='all',
                 pattern_dir=None,
                 overwrite=False,
                 screen_transform=True):
        if num_train < 0 or num_test < 0:
            raise ValueError('num_train and num_test must be >= 0')
        if workers < 1:
            raise ValueError(f'workers must be >= 1, got {workers}')
        if defect_mix not in DEFECT_MIXES:
            raise ValueError(f'defect_mix must be one of '
                             f'{list(DEFECT_MIXES)}, got {defect_mix!r}')
        self.out_dir = Path(out_dir)
        self.num_train = int(num_train)
        self.num_test = int(num_test)
        self.size = check_size(size, 16)
        self.seed = int(seed)
        self.workers = int(workers)
        self.defect_mix = defect_mix
        self.pattern_dir = None if pattern_dir is None else str(pattern_dir)
        self.overwrite = overwrite
        self.screen_transform = screen_transform
        if pattern_dir is None:
            self.pattern_names, self.patterns = builtin_patterns(self.size)
        else:
            self.pattern_names, self.patterns = load_pattern_dir(
                pattern_dir, self.size)
        num_patterns = len(self.patterns)
        if holdout_patterns is None:
            if num_patterns < 2:
                raise ValueError(
                    f'need at least 2 patterns for a train/test split, '
                    f'{self.pattern_dir} has {num_patterns}')
            count = min(max(1, round(0.3 * num_patterns)), num_patterns - 1)
            holdout_patterns = range(num_patterns - count, num_patterns)
        holdout = sorted({int(p) for p in holdout_patterns})
        bad = [p for p in holdout if not 0 <= p < num_patterns]
        if bad:
            raise ValueError(f'holdout pattern(s) {bad} out of range: there '
                             f'are {num_patterns} patterns')
        self.test_patterns = holdout
        self.train_patterns = [
            p for p in range(num_patterns) if p not in holdout
        ]
        self.specs = (
            plan_split('train', self.num_train, self.train_patterns,
                       defect_mix) +
            plan_split('test', self.num_test, self.test_patterns, defect_mix))

    def parameters(self):
        """Generation parameters and the ranges used, for the manifest."""
        return dict(
            size=list(self.size),
            num_train=self.num_train,
            num_test=self.num_test,
            defect_mix=self.defect_mix,
            screen_transform=self.screen_transform,
            pattern_source=self.pattern_dir or 'builtin',
            patterns=[
                dict(
                    index=i,
                    name=n,
                    split='test' if i in self.test_patterns else 'train')
                for i, n in enumerate(self.pattern_names)
            ],
            train_patterns=self.train_patterns,
            test_patterns=self.test_patterns,
            ranges=dict(
                defect_colours=list(DEFECT_COLOURS),
                opacities=list(OPACITIES),
                line_widths_ref_px=list(LINE_WIDTHS),
                line_areas=list(LINE_AREAS),
                abpt_thresholds=list(ABPT_THRESHOLDS),
                abpt_clusters=list(ABPT_CLUSTERS),
                abpt_selected_clusters=list(ABPT_SELECTED),
                abpt_dots=list(ABPT_DOTS),
                abpt_radii_ref_px=list(ABPT_RADII),
                blur_sigmas_ref_px=list(BLUR_SIGMAS),
                overlay_modes=list(OVERLAY_MODES),
                brightness_biases=list(BRIGHTNESS_BIASES),
                contrasts=list(CONTRASTS),
                iso_intensities=list(ISO_INTENSITIES),
                rgb_deviations=list(RGB_DEVIATIONS)),
            counts={
                split: {
                    kind:
                    sum(1 for s in self.specs
                        if s.split == split and s.kind == kind)
                    for kind in SAMPLE_KINDS
                }
                for split in SPLITS
            })

    def run(self, progress=True):
        """Generate every sample and write the manifest.

        Args:
            progress (bool): Report progress on ``stdout``: one line
                rewritten in place on a terminal, a line per 10 % when
                redirected (:class:`LineProgress`).

        Returns:
            dict: The manifest that was written to ``manifest.json``.
        """
        prepare_output_dir(self.out_dir, self.overwrite, OUTPUT_DIRS, SPLITS,
                           MANIFEST, 'SynLCD')
        init_args = (str(self.out_dir), self.seed, self.patterns,
                     self.screen_transform)
        bar = LineProgress(len(self.specs), sys.stdout,
                           prefix='SynLCD: ') if progress else None
        records = render_all(_Renderer, init_args, self.specs, self.workers,
                             bar)
        return write_manifest(
            self.out_dir, MANIFEST,
            dict(
                dataset='SynLCD',
                generator='mmdefect.datasets.synthesis.SynLCDGenerator',
                seed=self.seed,
                parameters=self.parameters(),
                samples=records))

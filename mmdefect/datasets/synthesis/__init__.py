"""Procedural generator of the SynLCD synthetic LCD-defect data set.

Implements the data simulation of the CADNet paper (Datasets, "Synthetic LCD
defect dataset", Eq. (1) and Table 1): clean LCD test-screen patterns
(:mod:`.patterns`), line and abnormal-point defects (:mod:`.defects`),
Gaussian-blur + Poisson fusion and the global screen transform
(:mod:`.fusion`), and the split-aware, worker-count-independent generator
(:mod:`.generator`). Only numpy, OpenCV and (for progress bars) mmengine are
needed; nothing here imports torch.

It also holds the procedural metal-surface set SynSurface (CAT, issue 13):
defect-free brushed, cast and machined surfaces (:mod:`.surfaces`, Perlin
noise from the ``noise`` package), held-out scratches, pits, stains and
cracks (:mod:`.surface_defects`) and its generator
(:mod:`.synsurface_generator`). Both generators write their sets with the
same scaffolding (:mod:`.writing`: seeds, output folder, workers).
"""
from .defects import (ABPT, LINE, Defect, rasterise_label, sample_abpt_defects,
                      sample_line_defects)
from .fusion import (ScreenParams, apply_screen_transform, fuse_defects,
                     fusion_margin, sample_screen_params)
from .generator import (DEFECT_MIXES, SAMPLE_KINDS, SampleSpec,
                        SynLCDGenerator, plan_split, render_sample, sample_rng)
from .patterns import (NUM_BUILTIN_PATTERNS, PATTERN_NAMES, builtin_patterns,
                       load_pattern_dir, render_pattern)
from .surface_defects import DEFECT_TYPES, add_defect
from .surfaces import SURFACE_TYPES, noise_field, perlin_tile, render_surface
from .synsurface_generator import (SurfaceSpec, SynSurfaceGenerator,
                                   plan_surface_split, render_surface_sample,
                                   surface_rng)
from .writing import LineProgress

__all__ = [
    'ABPT', 'DEFECT_MIXES', 'DEFECT_TYPES', 'Defect', 'LINE', 'LineProgress',
    'NUM_BUILTIN_PATTERNS', 'PATTERN_NAMES', 'SAMPLE_KINDS', 'SURFACE_TYPES',
    'SampleSpec', 'ScreenParams', 'SurfaceSpec', 'SynLCDGenerator',
    'SynSurfaceGenerator', 'add_defect', 'apply_screen_transform',
    'builtin_patterns', 'fuse_defects', 'fusion_margin', 'load_pattern_dir',
    'noise_field', 'perlin_tile', 'plan_split', 'plan_surface_split',
    'rasterise_label', 'render_pattern', 'render_sample', 'render_surface',
    'render_surface_sample', 'sample_abpt_defects', 'sample_line_defects',
    'sample_rng', 'sample_screen_params', 'surface_rng'
]

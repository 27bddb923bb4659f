"""Procedural generator of the SynLCD synthetic LCD-defect data set.

Implements the data simulation of the CADNet paper (Datasets, "Synthetic LCD
defect dataset", Eq. (1) and Table 1): clean LCD test-screen patterns
(:mod:`.patterns`), line and abnormal-point defects (:mod:`.defects`),
Gaussian-blur + Poisson fusion and the global screen transform
(:mod:`.fusion`), and the split-aware, worker-count-independent generator
(:mod:`.generator`). Only numpy, OpenCV and (for progress bars) mmengine are
needed; nothing here imports torch.
"""
from .defects import (ABPT, LINE, Defect, rasterise_label, sample_abpt_defects,
                      sample_line_defects)
from .fusion import (ScreenParams, apply_screen_transform, fuse_defects,
                     fusion_margin, sample_screen_params)
from .generator import (DEFECT_MIXES, SAMPLE_KINDS, SampleSpec,
                        SynLCDGenerator, plan_split, render_sample, sample_rng)
from .patterns import (NUM_BUILTIN_PATTERNS, PATTERN_NAMES, builtin_patterns,
                       load_pattern_dir, render_pattern)

__all__ = [
    'ABPT', 'DEFECT_MIXES', 'Defect', 'LINE', 'NUM_BUILTIN_PATTERNS',
    'PATTERN_NAMES', 'SAMPLE_KINDS', 'SampleSpec', 'ScreenParams',
    'SynLCDGenerator', 'apply_screen_transform', 'builtin_patterns',
    'fuse_defects', 'fusion_margin', 'load_pattern_dir', 'plan_split',
    'rasterise_label', 'render_pattern', 'render_sample',
    'sample_abpt_defects', 'sample_line_defects', 'sample_rng',
    'sample_screen_params'
]

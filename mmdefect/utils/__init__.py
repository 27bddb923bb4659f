from .run_config import (adapt_dist_backend, check_pairing,
                         count_params_checked, find_resume_checkpoint,
                         load_run_config, release_dist, resolve_work_dir)
from .set_env import register_all_modules

__all__ = [
    'adapt_dist_backend', 'check_pairing', 'count_params_checked',
    'find_resume_checkpoint', 'load_run_config', 'register_all_modules',
    'release_dist', 'resolve_work_dir'
]

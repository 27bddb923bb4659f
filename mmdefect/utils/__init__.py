from .file_checks import describe_empty_files
from .run_config import (adapt_dist_backend, apply_tta, check_fresh_work_dir,
                         check_pairing, count_params_checked,
                         existing_checkpoints, find_resume_checkpoint,
                         is_paired_model, load_run_config, release_dist,
                         resolve_work_dir, resume_checkpoint_or_none,
                         set_prediction_output)
from .set_env import register_all_modules

__all__ = [
    'adapt_dist_backend', 'apply_tta', 'check_fresh_work_dir', 'check_pairing',
    'describe_empty_files',
    'count_params_checked', 'existing_checkpoints', 'find_resume_checkpoint',
    'is_paired_model', 'load_run_config', 'register_all_modules',
    'release_dist', 'resolve_work_dir', 'resume_checkpoint_or_none',
    'set_prediction_output'
]

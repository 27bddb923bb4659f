"""Config checks and adjustments shared by ``tools/train.py`` and
``tools/test.py``."""
import argparse
import glob
import os
import os.path as osp
import re
from typing import Optional

import torch
from mmengine.config import Config
from mmengine.logging import print_log

PAIRED_SEGMENTORS = ('SiameseEncoderDecoder', 'ClassicalDiffSegmentor')


def load_run_config(args: argparse.Namespace) -> Config:
    """The config of a ``tools/train.py`` or ``tools/test.py`` run.

    Applies the flags both tools share, in mmseg's order: the unsafe
    checkpoint opt-in (``--allow-unsafe-checkpoint``), registration of
    mmseg and mmdefect, ``--launcher``, ``--cfg-options``, the work dir
    (``--work-dir``), then the pairing check and the CPU distributed backend.
    """
    from mmdefect.engine.safe_checkpoint import UNSAFE_ENV
    from .set_env import register_all_modules
    if args.allow_unsafe_checkpoint:
        os.environ[UNSAFE_ENV] = '1'
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    resolve_work_dir(cfg, args.work_dir, args.config)
    check_pairing(cfg)
    adapt_dist_backend(cfg)
    return cfg


def resolve_work_dir(cfg: Config, cli_work_dir: Optional[str],
                     config_path: str) -> str:
    """Work dir by mmseg's precedence: CLI > config > ``work_dirs/<name>``.

    Raises:
        NotADirectoryError: the chosen path exists and is a file.
    """
    if cli_work_dir is not None:
        work_dir = cli_work_dir
    elif cfg.get('work_dir') is not None:
        work_dir = cfg.work_dir
    else:
        work_dir = osp.join('./work_dirs',
                            osp.splitext(osp.basename(config_path))[0])
    if osp.isfile(work_dir):
        raise NotADirectoryError(
            f'--work-dir {work_dir} is an existing file, not a folder; '
            f'choose another path (the file is left untouched).')
    cfg.work_dir = work_dir
    return work_dir


def adapt_dist_backend(cfg: Config) -> None:
    """Prepare a distributed launch on a machine without CUDA.

    Configs keep ``backend='nccl'`` for GPU users.  Without CUDA, NCCL cannot
    initialise and mmengine's launcher calls ``torch.cuda.set_device``, so
    for ``--launcher pytorch`` (``tools/dist_train.sh``) this function
    switches to ``gloo``, initialises the process group itself from
    torchrun's environment, and selects ``CPUDistributedDataParallel`` as the
    model wrapper.  With CUDA nothing changes.
    """
    if torch.cuda.is_available():
        return
    dist_cfg = cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    if dist_cfg.get('backend', 'nccl') == 'nccl':
        dist_cfg['backend'] = 'gloo'
    if cfg.get('launcher', 'none') == 'none':
        return
    import torch.distributed as dist
    if not dist.is_initialized():
        dist.init_process_group(backend=dist_cfg['backend'])
    wrapper = cfg.get('model_wrapper_cfg') or {}
    wrapper.setdefault('type', 'mmseg.CPUDistributedDataParallel')
    cfg.model_wrapper_cfg = wrapper
    print_log(
        f'no CUDA device: distributed backend {dist_cfg["backend"]}, '
        f'{dist.get_world_size()} CPU processes',
        logger='current')


def count_params_checked(model: torch.nn.Module, checkpoint: Optional[str],
                         config: str) -> int:
    """Parameter count of ``model``; without a ``checkpoint`` it must be 0.

    Testing a model with parameters but no checkpoint would evaluate random
    weights; only parameter-free models (the classical baselines) may run
    without one.
    """
    num_params = sum(p.numel() for p in model.parameters())
    if checkpoint is None and num_params:
        raise ValueError(
            f'{config}: the model has {num_params:,} parameters, so a '
            f'checkpoint is required; only parameter-free models (e.g. '
            f'ClassicalDiffSegmentor) are tested without one')
    return num_params


def release_dist() -> None:
    """End a distributed run cleanly: barrier, then destroy the group.

    Without it each process tears down the gloo process group during
    interpreter exit, and a worker thread still running at that moment
    aborts the process ("terminate called without an active exception",
    seen as a SIGABRT of rank 0 after a successful two-process run).
    Does nothing outside a distributed run.
    """
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def check_pairing(cfg: Config) -> None:
    """Reject a paired pipeline feeding a single-image model, or the reverse.

    A 6-channel paired input reaching a 3-channel backbone fails deep inside
    a convolution; this check names the config fields instead.
    """
    model_type = str(cfg.model.get('type', ''))
    paired_model = model_type.split('.')[-1] in PAIRED_SEGMENTORS
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(name)
        if not loader:
            continue
        pipeline = loader.get('dataset', {}).get('pipeline', [])
        packers = [
            str(step.get('type', '')).split('.')[-1] for step in pipeline
            if isinstance(step, dict)
        ]
        paired_data = 'PackPairedSegInputs' in packers
        single_data = 'PackSegInputs' in packers
        if paired_data and not paired_model:
            raise ValueError(
                f'{name}.dataset.pipeline packs paired 6-channel inputs '
                f'(PackPairedSegInputs) but model.type={model_type!r} takes '
                f'single images; use SiameseEncoderDecoder (fusion='
                f'"img_only" for a single-image baseline on paired data).')
        if single_data and paired_model:
            raise ValueError(
                f'model.type={model_type!r} needs paired inputs but '
                f'{name}.dataset.pipeline uses PackSegInputs; use '
                f'LoadRefImageFromFile + PackPairedSegInputs.')


def find_resume_checkpoint(work_dir: str) -> Optional[str]:
    """The newest complete checkpoint in ``work_dir``, or ``None``.

    mmengine follows ``work_dir/last_checkpoint``, which ``CheckpointHook``
    writes non-atomically after each save.  Here that pointer is trusted only
    if it names an existing, non-empty file; otherwise the ``iter_*.pth`` /
    ``epoch_*.pth`` with the highest number is used.  Together with
    ``AtomicLocalBackend`` (checkpoint files appear whole or not at all) a
    run killed at any moment resumes from its last finished checkpoint.
    """
    pointer = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(pointer):
        with open(pointer) as f:
            path = f.read().strip()
        if path and osp.isfile(path) and osp.getsize(path) > 0:
            return path
    numbered = []
    for path in glob.glob(osp.join(work_dir, '*_*.pth')):
        match = re.fullmatch(r'(?:iter|epoch)_(\d+)\.pth', osp.basename(path))
        if match and osp.getsize(path) > 0:
            numbered.append((int(match.group(1)), path))
    return max(numbered)[1] if numbered else None

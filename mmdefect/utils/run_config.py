"""Config checks and adjustments shared by ``tools/train.py`` and
``tools/test.py``.

Plain functions of plain values: the command-line flags are defined in
``tools/`` and passed in as arguments.
"""
import glob
import inspect
import logging
import os
import os.path as osp
import re
from typing import List, Optional, Union

import torch
from mmengine.config import Config
from mmengine.logging import print_log

CHECKPOINT_POINTER = 'last_checkpoint'


def load_run_config(config: str,
                    cfg_options: Optional[dict] = None,
                    work_dir: Optional[str] = None,
                    launcher: str = 'none',
                    allow_unsafe_checkpoint: bool = False) -> Config:
    """The config of a ``tools/train.py`` or ``tools/test.py`` run.

    Applies, in mmseg's order: the unsafe checkpoint opt-in, registration of
    mmseg and mmdefect, the launcher, ``cfg_options``, the work dir, then the
    pairing check and the CPU distributed backend.

    Args:
        config: Path of the config file.
        cfg_options: Overrides merged into the config (``--cfg-options``).
        work_dir: Work dir given on the command line, or ``None``.
        launcher: ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
        allow_unsafe_checkpoint: Allow full unpickling of checkpoints (sets
            ``MMDEFECT_ALLOW_UNSAFE_CHECKPOINTS=1`` for this process).
    """
    from mmdefect.engine.safe_checkpoint import UNSAFE_ENV
    from .set_env import register_all_modules
    if allow_unsafe_checkpoint:
        os.environ[UNSAFE_ENV] = '1'
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(config)
    cfg.launcher = launcher
    if cfg_options is not None:
        cfg.merge_from_dict(cfg_options)
    resolve_work_dir(cfg, work_dir, config)
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


def is_paired_model(model: Union[torch.nn.Module, type, dict, str]) -> bool:
    """Whether ``model`` takes paired 6-channel inputs.

    A model declares it with the class attribute ``paired_input = True``
    (``SiameseEncoderDecoder``, ``ClassicalDiffSegmentor``); mmseg's
    single-image segmentors have no such attribute.

    Args:
        model: A model, a model class, a model config (``dict`` with
            ``type``) or a registered type name (looked up in mmseg's
            ``MODELS``; an unknown name counts as single-image).
    """
    if isinstance(model, torch.nn.Module):
        cls = type(model)
    elif isinstance(model, type):
        cls = model
    else:
        model_type = model.get('type', '') if isinstance(model,
                                                        dict) else model
        if isinstance(model_type, type):
            cls = model_type
        else:
            from mmseg.registry import MODELS
            cls = MODELS.get(str(model_type))
    return bool(getattr(cls, 'paired_input', False))


def check_pairing(cfg: Config) -> None:
    """Reject a paired pipeline feeding a single-image model, or the reverse.

    A 6-channel paired input reaching a 3-channel backbone fails deep inside
    a convolution; this check names the config fields instead.  Paired
    models are recognised by :func:`is_paired_model`.
    """
    model_type = cfg.model.get('type', '')
    paired_model = is_paired_model(cfg.model)
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


def _numbered_checkpoints(work_dir: str) -> List[tuple]:
    """``(number, path)`` of the non-empty ``iter_N``/``epoch_N`` files."""
    numbered = []
    for path in glob.glob(osp.join(work_dir, '*_*.pth')):
        match = re.fullmatch(r'(?:iter|epoch)_(\d+)\.pth', osp.basename(path))
        if match and osp.getsize(path) > 0:
            numbered.append((int(match.group(1)), path))
    return sorted(numbered)


def _warn(message: str) -> None:
    print_log(message, logger='current', level=logging.WARNING)


def find_resume_checkpoint(work_dir: str) -> Optional[str]:
    """The newest complete checkpoint in ``work_dir``, or ``None``.

    mmengine follows ``work_dir/last_checkpoint``, which ``CheckpointHook``
    writes after each save.  Here that pointer is trusted only if it names an
    existing, non-empty file; otherwise the ``iter_*.pth`` / ``epoch_*.pth``
    with the highest number is used and a warning says which file the
    pointer named and which one is used instead.  Together with
    ``AtomicLocalBackend`` (checkpoint files appear whole or not at all) a
    run killed at any moment resumes from its last finished checkpoint.
    """
    pointer = osp.join(work_dir, CHECKPOINT_POINTER)
    problem = None
    if osp.isfile(pointer):
        with open(pointer) as f:
            path = f.read().strip()
        if path and osp.isfile(path) and osp.getsize(path) > 0:
            return path
        if not path:
            problem = f'{pointer} is empty'
        elif not osp.isfile(path):
            problem = f'{pointer} names {path}, which does not exist'
        else:
            problem = f'{pointer} names {path}, which is an empty file'
    numbered = _numbered_checkpoints(work_dir)
    found = numbered[-1][1] if numbered else None
    if problem:
        _warn(f'{problem}; ' +
              (f'resuming from {found} instead (the newest complete '
               f'checkpoint in {work_dir})' if found else
               f'no other checkpoint in {work_dir}'))
    return found


def resume_checkpoint_or_none(work_dir: str) -> Optional[str]:
    """The checkpoint ``--resume`` continues from; says so if there is none.

    Returns ``None`` after a warning that ``work_dir`` holds no checkpoint
    and the run trains from scratch (mmengine would print "Auto resumed
    from the latest checkpoint None.").
    """
    found = find_resume_checkpoint(work_dir)
    if found is None:
        if not osp.isdir(work_dir):
            state = 'the folder does not exist yet'
        elif not os.listdir(work_dir):
            state = 'the folder is empty'
        else:
            state = 'no complete iter_*.pth or epoch_*.pth'
        _warn(f'--resume: no checkpoint to resume in {work_dir} ({state}); '
              f'training from scratch')
    else:
        print_log(f'--resume: continuing from {found}', logger='current')
    return found


def existing_checkpoints(work_dir: str) -> List[str]:
    """Checkpoint files of an earlier run in ``work_dir`` (sorted):
    ``*.pth`` and the ``last_checkpoint`` pointer at its top level."""
    if not osp.isdir(work_dir):
        return []
    found = glob.glob(osp.join(work_dir, '*.pth'))
    pointer = osp.join(work_dir, CHECKPOINT_POINTER)
    if osp.isfile(pointer):
        found.append(pointer)
    return sorted(found)


def check_fresh_work_dir(work_dir: str,
                         overwrite: bool = False,
                         resume_hint: str = '--resume',
                         overwrite_hint: str = '--overwrite') -> List[str]:
    """Refuse to start a new training run over an earlier run's checkpoints.

    A new run into a work dir with checkpoints would replace ``iter_N.pth``
    files and repoint ``last_checkpoint``, leaving the old run's later
    checkpoints beside the new ones.

    Args:
        work_dir: The run's work dir.
        overwrite: Delete the earlier run's checkpoint files (listed by
            :func:`existing_checkpoints`) instead of refusing; logs and
            other files stay.
        resume_hint, overwrite_hint: How the user continues or overwrites
            (the tools' flags), for the message.

    Returns:
        list[str]: The files deleted (empty without ``overwrite``).

    Raises:
        FileExistsError: ``work_dir`` holds checkpoints and ``overwrite``
            is not set; the message names them.
    """
    found = existing_checkpoints(work_dir)
    if not found:
        return []
    if not overwrite:
        names = [osp.basename(path) for path in found]
        shown = ', '.join(names[:6]) + (
            f' and {len(names) - 6} more' if len(names) > 6 else '')
        raise FileExistsError(
            f'work dir {work_dir} holds checkpoints of an earlier run '
            f'({shown}); a new run would overwrite some and mix with the '
            f'rest. Pass {resume_hint} to continue that run, choose another '
            f'--work-dir, or pass {overwrite_hint} to delete these '
            f'checkpoint files and train from scratch.')
    if int(os.environ.get('RANK', '0')) == 0:
        for path in found:
            os.remove(path)
        _warn(f'{overwrite_hint}: deleted {len(found)} checkpoint file(s) '
              f'of an earlier run in {work_dir}')
    return found


def _accepts_output_dir(metric_type) -> bool:
    """Whether a metric's constructor takes ``output_dir`` (mmseg's
    ``IoUMetric`` family), following ``**kwargs`` up the class tree."""
    from mmseg.registry import METRICS
    cls = metric_type if isinstance(metric_type, type) else METRICS.get(
        str(metric_type))
    if cls is None:
        return False
    for klass in cls.__mro__:
        if '__init__' not in vars(klass):
            continue
        params = inspect.signature(klass.__init__).parameters
        if 'output_dir' in params:
            return True
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD
                   for p in params.values()):
            return False
    return False


def set_prediction_output(cfg: Config, out_dir: str) -> List[str]:
    """Make the test evaluator write prediction files to ``out_dir``.

    mmseg's ``tools/test.py --out`` sets ``output_dir``/``keep_results`` on
    ``test_evaluator`` and fails on a list of evaluators (``TypeError: list
    indices must be integers``).  Here every evaluator that accepts
    ``output_dir`` (the ``IoUMetric`` family) gets it; when none does (an
    anomaly model evaluated by ``AnomalyMetric`` only), an
    ``IoUMetric(format_only=True)`` is added that only writes the predicted
    label maps.

    Returns:
        list[str]: The types of the evaluators that write predictions.
    """
    evaluators = cfg.test_evaluator
    if isinstance(evaluators, dict) and 'type' not in evaluators and \
            'metrics' in evaluators:
        evaluators = evaluators['metrics']
    if isinstance(evaluators, dict):
        evaluators = [evaluators]
    evaluators = list(evaluators)
    writers = []
    for evaluator in evaluators:
        if _accepts_output_dir(evaluator.get('type')):
            evaluator['output_dir'] = out_dir
            evaluator['keep_results'] = True
            writers.append(str(evaluator['type']))
    if not writers:
        evaluators.append(
            dict(
                type='IoUMetric',
                format_only=True,
                output_dir=out_dir,
                keep_results=True))
        writers.append('IoUMetric')
        cfg.test_evaluator = evaluators
    return writers


def apply_tta(cfg):
    """``--tta`` of ``tools/test.py`` (mmseg's recipe), the model keeping
    its own preprocessor.

    mmengine's ``BaseTTAModel`` replaces the module's ``data_preprocessor``
    by its own, and the runner gives it the config's top-level
    ``data_preprocessor``: for a model whose preprocessor differs from the
    top-level one (early fusion: a paired preprocessor over a SegFormer base
    whose top level is mmseg's) the pair was normalised with 3-channel
    statistics and the test crashed.  The wrapper gets the model's own.

    Args:
        cfg (Config): a run config with ``tta_pipeline`` and ``tta_model``
            (``configs/_base_/default_runtime.py``: ``DefectTTAModel``).

    Returns:
        Config: ``cfg``, changed in place: the test pipeline is
        ``tta_pipeline`` and ``model`` the TTA wrapper around the model.
    """
    missing = [key for key in ('tta_pipeline', 'tta_model') if key not in cfg]
    if missing:
        raise KeyError(f'--tta: the config {cfg.filename} has no '
                       f'{" and no ".join(missing)} (see '
                       'configs/_base_/datasets/deeppcb.py for an example)')
    cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
    cfg.tta_model.module = cfg.model
    if cfg.model.get('data_preprocessor') is not None:
        cfg.tta_model.data_preprocessor = cfg.model.data_preprocessor
    cfg.model = cfg.tta_model
    return cfg

"""Evaluate a model over one of its config's dataloaders with given metrics.

The body of mmengine's ``TestLoop`` (``model.test_step`` then
``Evaluator.process``/``evaluate``) without a ``Runner``: no work dir, no
hooks, no logs. ``tools/analysis_tools/calibrate_threshold.py`` and
``plot_curves.py`` run :class:`~mmdefect.evaluation.AnomalyMetric` through
it, so their thresholds and curves are exactly those of ``tools/test.py``
with the same metric.
"""
import copy
import sys
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import torch
from mmengine.config import Config

#: ``AnomalyMetric`` arguments that define the scores and their binning.
SCORE_OPTIONS = ('score_key', 'image_score', 'topk', 'binning',
                 'mantissa_bits', 'num_bins', 'score_range', 'ignore_index')


def anomaly_metric_options(cfg: Config, split: str) -> Dict[str, Any]:
    """The score and binning options of the config's ``AnomalyMetric``.

    Args:
        cfg (Config): The config.
        split (str): ``'val'`` or ``'test'``: ``{split}_evaluator`` is read.

    Returns:
        dict: The :data:`SCORE_OPTIONS` the first ``AnomalyMetric`` of that
        evaluator sets (empty if it has none), so a calibration or a curve
        uses the same scores as the config's evaluation.
    """
    evaluator = cfg.get(f'{split}_evaluator')
    if isinstance(evaluator, Mapping) and 'metrics' in evaluator:
        evaluator = evaluator['metrics']
    if isinstance(evaluator, Mapping):
        evaluator = [evaluator]
    for metric in evaluator or []:
        if str(metric.get('type', '')).split('.')[-1] == 'AnomalyMetric':
            return {k: metric[k] for k in SCORE_OPTIONS if k in metric}
    return {}


def evaluate_split(cfg: Config,
                   checkpoint: Optional[str],
                   metrics: Union[Any, Sequence[Any]],
                   split: str = 'val',
                   device: str = 'cpu',
                   show_progress: bool = True,
                   strict_checkpoint: bool = True,
                   mismatch_hint: Optional[str] = None) -> Dict[str, float]:
    """Run the model of ``cfg`` over ``{split}_dataloader`` and evaluate.

    The model is built from ``cfg.model`` and its checkpoint read with
    mmengine's loader (mmdefect's safe loader, as in ``tools/test.py``); a
    checkpoint that does not fit the model (missing, unexpected or
    other-shaped weights) is refused by
    :func:`~mmdefect.engine.check_state_dict_matches` unless
    ``strict_checkpoint=False``, as ``tools/test.py`` and
    ``DefectInferencer`` refuse it. Without a checkpoint only a
    parameter-free model is accepted. The
    dataloader keeps its pipeline but gets a sequential ``DefaultSampler``
    so every image is seen exactly once.

    Args:
        cfg (Config): The config (registration done by the caller, e.g.
            with :func:`mmdefect.utils.load_run_config`).
        checkpoint (str, optional): The checkpoint.
        metrics: Metric objects or configs for mmengine's ``Evaluator``.
        split (str): ``'val'``, ``'test'`` (or ``'train'``).
        device (str): Device of the model.
        show_progress (bool): A progress bar on stderr.
        strict_checkpoint (bool): Refuse a checkpoint that does not fit
            the model (default); ``False`` only warns and loads it.
        mismatch_hint (str, optional): How the caller relaxes the check,
            for the error (e.g. ``'pass --allow-mismatched-checkpoint'``).

    Returns:
        dict[str, float]: The metrics (``Evaluator.evaluate``).

    Raises:
        CheckpointMismatchError: ``strict_checkpoint`` and the checkpoint
            does not fit the model (a ``ValueError``).
    """
    import mmengine
    from mmengine.evaluator import Evaluator
    from mmengine.model import revert_sync_batchnorm
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner
    from mmengine.runner.checkpoint import (_load_checkpoint,
                                            _load_checkpoint_to_model)
    from mmseg.registry import MODELS

    from mmdefect.engine import check_state_dict_matches
    from mmdefect.utils import count_params_checked

    key = f'{split}_dataloader'
    if not cfg.get(key):
        raise ValueError(f'the config has no {key}')
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model = MODELS.build(cfg.model)
    count_params_checked(model, checkpoint, cfg.filename or 'the config')
    if checkpoint is not None:
        state = _load_checkpoint(checkpoint, map_location='cpu')
        check_state_dict_matches(
            model,
            state,
            filename=checkpoint,
            strict=strict_checkpoint,
            hint=mismatch_hint or 'pass strict_checkpoint=False')
        _load_checkpoint_to_model(model, state)
    model = revert_sync_batchnorm(model).to(device).eval()

    loader_cfg = copy.deepcopy(cfg[key])
    loader_cfg['sampler'] = dict(type='DefaultSampler', shuffle=False)
    dataloader = Runner.build_dataloader(loader_cfg)
    metric_list: List[Any] = (
        list(metrics) if isinstance(metrics, (list, tuple)) else [metrics])
    evaluator = Evaluator(metric_list)
    evaluator.dataset_meta = getattr(dataloader.dataset, 'metainfo', None)
    progress = (
        mmengine.ProgressBar(len(dataloader.dataset), file=sys.stderr)
        if show_progress else None)
    with torch.no_grad():
        for batch in dataloader:
            outputs = model.test_step(batch)
            evaluator.process(data_samples=outputs, data_batch=batch)
            if progress is not None:
                for _ in outputs:
                    progress.update()
    if progress is not None:
        sys.stderr.write('\n')
    return evaluator.evaluate(len(dataloader.dataset))

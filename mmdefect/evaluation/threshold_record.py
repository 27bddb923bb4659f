"""The calibrated threshold stored in a checkpoint, bound to its score rule.

A threshold only means something for the scores it was computed on, so
calibration stores, in the checkpoint's ``meta``::

    meta['defect_threshold'] = value              # float
    meta['defect_threshold_info'] = dict(
        value=value,                              # the same float
        level='pixel' | 'image',                  # what it thresholds
        method='quantile' | 'f1',                 # how it was chosen
        q=0.999,                                  # quantile (else None)
        score_rule=ScoreRule(...).to_dict(),      # the scores it applies to
        split='val', num_images=..., ...)         # provenance

:func:`read_threshold` is what a consumer (``DefectInferencer``, the ONNX
export and runtime) calls: it returns the value only if it was computed at
the requested level under a compatible :class:`ScoreRule`
(:meth:`ScoreRule.check_compatible`), and raises a ``ValueError`` naming
both rules otherwise; :func:`recorded_rule` gives the stored rule.
:func:`write_threshold_checkpoint` writes a copy of a checkpoint with the
record and never overwrites a file.
"""
import math
import os.path as osp
from typing import Any, Mapping, Optional, Tuple

from .score_rule import ScoreRule

THRESHOLD_KEY = 'defect_threshold'
INFO_KEY = 'defect_threshold_info'
LEVELS = ('pixel', 'image')
METHODS = ('quantile', 'f1')


def threshold_info(value: float,
                   level: str,
                   method: str,
                   score_rule: ScoreRule,
                   q: Optional[float] = None,
                   **extra: Any) -> dict:
    """The ``meta['defect_threshold_info']`` record of a threshold.

    Args:
        value (float): The threshold (finite).
        level (str): ``'pixel'`` (applies to score maps) or ``'image'``
            (applies to image scores).
        method (str): ``'quantile'`` or ``'f1'``.
        score_rule (ScoreRule): The rule of the scores it was computed on.
        q (float, optional): The quantile of ``'quantile'``.
        **extra: Provenance (``split``, ``num_images``, ``binning``, ...);
            plain values only (the record is loaded with ``weights_only``).

    Returns:
        dict: The record.
    """
    _check_level(level, 'level')
    if method not in METHODS:
        raise ValueError(f'threshold method must be one of {METHODS}, got '
                         f'{method!r}')
    if not isinstance(score_rule, ScoreRule):
        raise TypeError('score_rule must be a ScoreRule, got '
                        f'{type(score_rule).__name__}')
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f'a threshold must be finite, got {value}')
    info = dict(
        value=value,
        level=level,
        method=method,
        q=None if q is None else float(q),
        score_rule=score_rule.to_dict())
    info.update(extra)
    return info


def read_threshold(meta: Optional[Mapping],
                   rule: ScoreRule,
                   level: str,
                   where: str = 'the checkpoint'
                   ) -> Tuple[Optional[float], Optional[dict]]:
    """The stored threshold, validated against the consumer's rule.

    Args:
        meta (Mapping | None): The checkpoint's ``meta``.
        rule (ScoreRule): The score rule the consumer applies.
        level (str): ``'pixel'`` or ``'image'``: what the consumer
            thresholds with it.
        where (str): Where ``meta`` comes from (e.g. the checkpoint path),
            for the messages.

    Returns:
        tuple[float | None, dict | None]: ``(value, info)``, or
        ``(None, None)`` when ``meta`` holds no threshold.

    Raises:
        ValueError: The threshold has no record of its rule and level
            (e.g. written by hand or by an older mmdefect), the record is
            malformed or disagrees with ``meta['defect_threshold']``, or it
            was computed at another level or under an incompatible rule.
    """
    _check_level(level, 'level')
    meta = meta or {}
    if meta.get(THRESHOLD_KEY) is None:
        return None, None
    value = _finite(meta[THRESHOLD_KEY], f"{where}'s meta[{THRESHOLD_KEY!r}]")
    info = meta.get(INFO_KEY)
    if not isinstance(info, Mapping):
        raise ValueError(
            f"{where}'s meta[{THRESHOLD_KEY!r}] = {value} has no "
            f'meta[{INFO_KEY!r}] recording the score rule and level it was '
            'computed with, so it cannot be checked against this run; '
            'recalibrate with tools/analysis_tools/calibrate_threshold.py, '
            'or pass the threshold explicitly')
    info = dict(info)
    missing = {'value', 'level', 'method', 'score_rule'} - set(info)
    if missing:
        raise ValueError(f"{where}'s meta[{INFO_KEY!r}] lacks the fields "
                         f'{sorted(missing)}')
    recorded = _finite(info['value'], f"{where}'s meta[{INFO_KEY!r}]['value']")
    if recorded != value:
        raise ValueError(
            f"{where}: meta[{THRESHOLD_KEY!r}] = {value} differs from "
            f"meta[{INFO_KEY!r}]['value'] = {recorded}; the checkpoint was "
            'edited inconsistently, recalibrate')
    _check_level(info['level'], f"{where}'s meta[{INFO_KEY!r}]['level']")
    if info['level'] != level:
        raise ValueError(
            f"the threshold in {where} is a {info['level']}-level threshold "
            f"(method {info['method']!r}), but it would be applied at the "
            f'{level} level; calibrate with --level {level}')
    rule.check_compatible(_stored_rule(info, where), level, where)
    return value, info


def recorded_rule(meta: Optional[Mapping],
                  where: str = 'the checkpoint') -> Optional[ScoreRule]:
    """The score rule the stored threshold was calibrated with, or ``None``
    without a record (e.g. for an exporter that bakes that rule in; then
    validate the threshold with :func:`read_threshold`)."""
    info = (meta or {}).get(INFO_KEY)
    if not isinstance(info, Mapping) or 'score_rule' not in info:
        return None
    return _stored_rule(info, where)


def _stored_rule(info: Mapping, where: str) -> ScoreRule:
    try:
        return ScoreRule.from_dict(info['score_rule'])
    except (TypeError, ValueError) as err:
        raise ValueError(f"{where}'s meta[{INFO_KEY!r}]['score_rule'] is not "
                         f'a valid ScoreRule: {err}') from None


def write_threshold_checkpoint(checkpoint: str, out: str,
                               info: Mapping) -> None:
    """Copy ``checkpoint`` to ``out`` with the threshold record in ``meta``.

    The checkpoint is read with mmengine's ``CheckpointLoader`` (mmdefect's
    safe loader); ``out`` is written to a temporary file in its folder and
    renamed, with the mode a new file gets under the umask
    (:func:`mmdefect.engine.atomic_output`), and an existing ``out``
    (or ``out == checkpoint``) is refused.

    Args:
        checkpoint (str): The source checkpoint (not modified).
        out (str): The new checkpoint.
        info (Mapping): A :func:`threshold_info` record.

    Raises:
        FileExistsError: ``out`` exists (or is the input).
    """
    import torch
    from mmengine.runner.checkpoint import CheckpointLoader

    from mmdefect.engine import atomic_output
    problem = output_problem(checkpoint, out)
    if problem:
        raise FileExistsError(problem)
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    if 'state_dict' not in ckpt:
        ckpt = dict(state_dict=ckpt)
    meta = dict(ckpt.get('meta') or {})
    for legacy in ('defect_threshold_mode', 'defect_threshold_calibration'):
        meta.pop(legacy, None)
    meta[THRESHOLD_KEY] = float(info['value'])
    meta[INFO_KEY] = dict(info, source_checkpoint=osp.abspath(checkpoint))
    ckpt['meta'] = meta
    with atomic_output(out, overwrite=False) as tmp:
        torch.save(ckpt, tmp)


def output_problem(checkpoint: str, out: str) -> Optional[str]:
    """Why ``out`` cannot receive a calibrated copy of ``checkpoint``, or
    ``None``."""
    if not osp.isfile(checkpoint):
        return f'checkpoint {checkpoint} not found'
    if osp.exists(out) and osp.samefile(out, checkpoint):
        return (f'the output {out} is the input checkpoint; the input is '
                'never overwritten')
    if osp.exists(out):
        return (f'{out} already exists; remove it or choose another path '
                'with --out')
    return None


def default_output(checkpoint: str) -> str:
    """``<checkpoint without .pth>_calibrated.pth``."""
    stem = checkpoint[:-4] if checkpoint.endswith('.pth') else checkpoint
    return stem + '_calibrated.pth'


def _check_level(level: Any, what: str) -> None:
    if level not in LEVELS:
        raise ValueError(f'{what} must be one of {LEVELS}, got {level!r}')


def _finite(value: Any, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float('nan')
    if not math.isfinite(number):
        raise ValueError(f'{what} must be a finite number, got {value!r}')
    return number

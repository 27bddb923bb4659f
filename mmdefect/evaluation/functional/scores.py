"""The one defect-score layer: logits or anomaly map -> pixel score map ->
image score -> decision.

Every consumer in mmdefect (``AnomalyMetric``, threshold calibration, the
ROC/PR plots, ``PairedSegLocalVisualizer``, ``DefectInferencer``, the ONNX
export and its runtime) computes scores through this module, so a threshold
calibrated by one tool means the same thing to every other.

Conventions:

* **Pixel score.** A model that writes ``anomaly_map`` (e.g. CAT's feature
  discrepancy) is passed through unchanged. Otherwise the score is the
  defect probability of the segmentation logits, ``1 - p(background)``
  computed as ``exp(logsumexp(z[1:]) - logsumexp(z))`` so that small
  probabilities keep their precision (``1 - softmax[0]`` loses them to
  cancellation), or ``sigmoid(z)`` for one channel. Always float32: that is
  what the models and the exported graphs produce, and the one dtype makes
  the consumers bit-identical.
* **Image score.** ``'max'`` of the map or ``'topk_mean'`` (mean of the
  ``topk`` highest pixels; an int is a pixel count, a float in (0, 1] a
  fraction of the pixels), computed in float64 over the whole map (ignored
  pixels included: the image score must not depend on labels).
* **Decision.** Defective when ``score >= threshold``, for pixels and images.
"""
from typing import Any, Mapping, Tuple, Union

import numpy as np
import torch
from torch import Tensor

ArrayLike = Union[np.ndarray, Tensor]

SCORE_SOURCES = ('auto', 'anomaly_map', 'seg_logits')
IMAGE_SCORE_RULES = ('max', 'topk_mean')


def defect_probability(logits: Tensor, dim: int = -3) -> Tensor:
    """Pixel defect score from segmentation logits (float32).

    Uses only ``logsumexp``, ``exp`` and ``sigmoid``, so the same function
    is traced into the exported ONNX graph.

    Args:
        logits (Tensor): ``(C, H, W)`` or ``(N, C, H, W)`` logits
            (class 0 = background).
        dim (int): The class dimension. Defaults to -3.

    Returns:
        Tensor: The defect score with ``dim`` removed, float32.
    """
    logits = logits.float()
    if logits.shape[dim] == 1:
        return torch.sigmoid(logits.squeeze(dim))
    defect = torch.logsumexp(logits.narrow(dim, 1, logits.shape[dim] - 1),
                             dim=dim)
    return torch.exp(defect - torch.logsumexp(logits, dim=dim))


def score_map(data_sample: Any, source: str = 'auto') -> np.ndarray:
    """The ``(H, W)`` float32 score map of one prediction.

    Args:
        data_sample (SegDataSample | Mapping): A model output with
            ``anomaly_map`` and/or ``seg_logits`` (each a PixelData or a dict
            with ``data``, or a tensor/array).
        source (str): ``'auto'`` (``anomaly_map`` if present, else
            ``seg_logits``), ``'anomaly_map'`` or ``'seg_logits'``.

    Returns:
        np.ndarray: Contiguous float32 ``(H, W)`` scores.

    Raises:
        KeyError: The requested source is absent (names the keys present).
        ValueError: Wrong shapes or NaN scores.
    """
    if source not in SCORE_SOURCES:
        raise ValueError(
            f'score source must be one of {SCORE_SOURCES}, got {source!r}')
    if source == 'auto':
        source = ('anomaly_map'
                  if _get(data_sample, 'anomaly_map') is not None else
                  'seg_logits')
    value = _get(data_sample, source)
    if value is None:
        raise KeyError(
            f'the prediction has no {source!r}; it has '
            f'{sorted(_keys(data_sample))}. A segmentation model writes '
            "'seg_logits', an anomaly model 'anomaly_map'.")
    tensor = torch.as_tensor(value).detach().cpu()
    if source == 'seg_logits':
        if tensor.dim() != 3:
            raise ValueError('seg_logits must be (C, H, W), got shape '
                             f'{tuple(tensor.shape)}')
        scores = defect_probability(tensor)
    else:
        if tensor.dim() == 3 and tensor.shape[0] == 1:
            tensor = tensor[0]
        if tensor.dim() != 2:
            raise ValueError('anomaly_map must be (1, H, W) or (H, W), got '
                             f'shape {tuple(tensor.shape)}')
        scores = tensor.float()
    scores = np.ascontiguousarray(scores.numpy(), dtype=np.float32)
    if np.isnan(scores).any():
        raise ValueError(f'the {source!r} scores contain NaN')
    return scores


def check_image_score_rule(rule: str, topk: Union[int, float]) -> None:
    """Raise ``ValueError`` unless ``rule``/``topk`` are valid."""
    if rule not in IMAGE_SCORE_RULES:
        raise ValueError(f'image_score must be one of {IMAGE_SCORE_RULES}, '
                         f'got {rule!r}')
    valid_topk = ((isinstance(topk, int) and topk >= 1) or
                  (isinstance(topk, float) and 0.0 < topk <= 1.0))
    if isinstance(topk, bool) or not valid_topk:
        raise ValueError('topk must be an int >= 1 or a float in (0, 1], '
                         f'got {topk!r}')


def topk_count(num_pixels: int, topk: Union[int, float]) -> int:
    """Number of pixels averaged by ``'topk_mean'`` for a map size."""
    if isinstance(topk, float):
        return max(1, int(np.ceil(topk * num_pixels)))
    return min(int(topk), num_pixels)


def image_score(scores: ArrayLike,
                rule: str = 'max',
                topk: Union[int, float] = 100) -> float:
    """Image score of a pixel score map (float64 arithmetic).

    Args:
        scores (np.ndarray | Tensor): The score map, any shape.
        rule (str): ``'max'`` or ``'topk_mean'``.
        topk (int | float): For ``'topk_mean'``: pixels (int) or fraction
            of the pixels (float in (0, 1]).

    Returns:
        float: The image score.
    """
    check_image_score_rule(rule, topk)
    if isinstance(scores, Tensor):
        scores = scores.detach().cpu().numpy()
    flat = np.asarray(scores, dtype=np.float32).ravel().astype(np.float64)
    if flat.size == 0:
        raise ValueError('image_score got an empty score map')
    if rule == 'max':
        return float(flat.max())
    k = topk_count(flat.size, topk)
    return float(np.partition(flat, flat.size - k)[flat.size - k:].mean())


def label_masks(labels: ArrayLike,
                ignore_index: int = 255) -> Tuple[np.ndarray, np.ndarray]:
    """Valid and defect masks of a label map.

    Args:
        labels (np.ndarray | Tensor): ``(H, W)`` or ``(1, H, W)`` labels,
            0 = defect-free, ``ignore_index`` = not evaluated, anything
            else = a defect class.
        ignore_index (int): The ignored label. Defaults to 255.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``(valid, defect)`` bool ``(H, W)``
        masks; ``defect`` is a subset of ``valid``.
    """
    if isinstance(labels, Tensor):
        labels = labels.detach().cpu().numpy()
    labels = np.asarray(labels)
    if labels.ndim == 3 and labels.shape[0] == 1:
        labels = labels[0]
    if labels.ndim != 2:
        raise ValueError('labels must be (H, W) or (1, H, W), got shape '
                         f'{labels.shape}')
    valid = labels != ignore_index
    return valid, valid & (labels > 0)


def decide(scores: Union[ArrayLike, float],
           threshold: float) -> Union[np.ndarray, bool]:
    """The decision rule: defective where ``score >= threshold``."""
    if isinstance(scores, Tensor):
        scores = scores.detach().cpu().numpy()
    if np.ndim(scores) == 0:
        return bool(scores >= threshold)
    return np.asarray(scores) >= threshold


def _get(data_sample: Any, key: str) -> Any:
    if isinstance(data_sample, Mapping):
        value = data_sample.get(key)
    else:
        value = data_sample.get(key) if key in data_sample else None
    if value is None:
        return None
    if isinstance(value, Mapping):
        value = value.get('data')
    elif hasattr(value, 'data') and not isinstance(value,
                                                    (Tensor, np.ndarray)):
        value = value.data
    return value


def _keys(data_sample: Any):
    if isinstance(data_sample, Mapping):
        return data_sample.keys()
    return data_sample.keys() if hasattr(data_sample, 'keys') else []

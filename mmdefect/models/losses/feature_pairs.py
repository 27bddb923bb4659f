"""Base class and helpers of the student-teacher feature losses of CAT."""
from typing import List, Optional, Sequence, Tuple

import torch.nn as nn
import torch.nn.functional as F
from mmseg.models.utils import resize
from torch import Tensor


def check_scale_weights(scale_weights: Optional[Sequence[float]],
                        owner: str) -> Optional[List[float]]:
    """Validate per-scale weights (``None`` = equal weights)."""
    if scale_weights is None:
        return None
    weights = [float(w) for w in scale_weights]
    if not weights or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError(f'{owner}: scale_weights must be non-negative with '
                         f'a positive sum, got {scale_weights!r}')
    return weights


def pair_scales(student: Sequence[Tensor],
                teacher: Sequence[Tensor],
                scale_weights: Optional[Sequence[float]],
                owner: str,
                align_corners: bool = False,
                hint: str = ''
                ) -> Tuple[List[Tensor], List[Tensor], List[float]]:
    """Check the two feature lists and return them with the weights.

    A student map whose size differs from the teacher's is resized
    bilinearly to it; batch size and channel counts must agree (``hint``
    is appended to that error).
    """
    if len(student) != len(teacher) or not student:
        raise ValueError(f'{owner}: needs one student map per teacher map, '
                         f'got {len(student)} and {len(teacher)}')
    weights = [1.0] * len(student) if scale_weights is None else list(
        scale_weights)
    if len(weights) != len(student):
        raise ValueError(f'{owner}: {len(weights)} scale_weights for '
                         f'{len(student)} scales')
    aligned = []
    for i, (s, t) in enumerate(zip(student, teacher)):
        if s.dim() != 4 or t.dim() != 4 or s.shape[:2] != t.shape[:2]:
            raise ValueError(
                f'{owner}: scale {i}: student {tuple(s.shape)} and teacher '
                f'{tuple(t.shape)} must both be (N, C, h, w) with the same '
                f'N and C{hint}')
        if s.shape[2:] != t.shape[2:]:
            s = resize(
                s, size=t.shape[2:], mode='bilinear',
                align_corners=align_corners)
        aligned.append(s)
    return aligned, list(teacher), weights


def scale_masks(label: Tensor,
                size: Sequence[int],
                ignore_index: int = 255,
                neg_threshold: float = 0.5,
                valid_threshold: float = 0.5) -> Tuple[Tensor, Tensor]:
    """Normal and anomalous (droplet) locations of one feature scale.

    The label ``(N, H, W)`` (0 normal, any other value except
    ``ignore_index`` anomalous) is area-averaged onto the ``(h, w)`` grid
    (``adaptive_avg_pool2d``).  A cell is *valid* when at least
    ``valid_threshold`` of its pixels are not ignored; a valid cell is
    *normal* when none of its pixels is anomalous and *anomalous* when at
    least ``neg_threshold`` of its valid pixels are.  Cells on a droplet's
    edge below ``neg_threshold`` belong to neither set.

    Returns:
        tuple[Tensor, Tensor]: Boolean ``(N, h, w)`` masks ``(normal,
        anomalous)``.
    """
    if label.dim() != 3:
        raise ValueError(f'label must be (N, H, W), got {tuple(label.shape)}')
    valid = (label != ignore_index).float()
    anomalous = ((label != 0) & (label != ignore_index)).float()
    size = tuple(int(v) for v in size)
    valid_frac = F.adaptive_avg_pool2d(valid[:, None], size)[:, 0]
    anom_frac = F.adaptive_avg_pool2d(anomalous[:, None], size)[:, 0]
    is_valid = valid_frac >= valid_threshold
    normal = is_valid & (anom_frac == 0)
    anomalous_cells = is_valid & (
        anom_frac >= neg_threshold * valid_frac.clamp(min=1e-12))
    return normal, anomalous_cells


def cosine_map(student: Tensor, teacher: Tensor) -> Tensor:
    """Eq. 1 at every location: ``(N, C, h, w) x2 -> (N, h, w)``."""
    return F.cosine_similarity(student, teacher, dim=1, eps=1e-8)


def zero_loss(tensors: Sequence[Tensor]) -> Tensor:
    """A scalar 0 attached to the graph of ``tensors``."""
    return sum(t.sum() * 0. for t in tensors)


def weighted_scale_mean(values: Sequence[Tensor],
                        weights: Sequence[float]) -> Tensor:
    """``sum_s w_s L_s / sum_s w_s``."""
    total = sum(weights)
    return sum(w * v for w, v in zip(weights, values)) / total


class BaseFeaturePairLoss(nn.Module):
    """A loss between per-scale student and teacher maps and a label.

    Subclasses implement :meth:`scale_loss` for one scale; :meth:`forward`
    checks and aligns the maps (:func:`pair_scales`), averages the scales
    with ``scale_weights`` (:func:`weighted_scale_mean`) and applies
    ``loss_weight``.

    Args:
        scale_weights (Sequence[float], optional): One weight per scale;
            None for equal weights.
        loss_weight (float): Factor of the loss.
        ignore_index (int): Label ignored (padding).
        align_corners (bool): Of the student-to-teacher size alignment.
        loss_name (str): Name of the loss item.
    """

    def __init__(self,
                 scale_weights: Optional[Sequence[float]] = None,
                 loss_weight: float = 1.0,
                 ignore_index: int = 255,
                 align_corners: bool = False,
                 loss_name: str = 'loss_feat'):
        super().__init__()
        self.scale_weights = check_scale_weights(scale_weights,
                                                 type(self).__name__)
        self.loss_weight = loss_weight
        self.ignore_index = ignore_index
        self.align_corners = align_corners
        self._loss_name = loss_name

    def scale_loss(self, student: Tensor, teacher: Tensor, label: Tensor,
                   ignore_index: int) -> Tensor:
        """The loss of one scale, ``(N, C, h, w)`` maps of equal size."""
        raise NotImplementedError

    def forward(self,
                student: Sequence[Tensor],
                teacher: Sequence[Tensor],
                label: Tensor,
                ignore_index: Optional[int] = None,
                **kwargs) -> Tensor:
        """Compute the loss.

        Args:
            student (Sequence[Tensor]): Student maps ``(N, C_s, h_s, w_s)``
                of the augmented image, one per scale.
            teacher (Sequence[Tensor]): Teacher maps of the original image,
                same channels; a student map of another size is resized
                bilinearly to the teacher's.
            label (Tensor): ``(N, H, W)`` label at input size: 0 normal,
                any other value (a droplet) anomalous, ``ignore_index``
                ignored.
            ignore_index (int, optional): Overrides ``self.ignore_index``.

        Returns:
            Tensor: The scalar loss.
        """
        if ignore_index is None:
            ignore_index = self.ignore_index
        student, teacher, weights = pair_scales(student, teacher,
                                                self.scale_weights,
                                                type(self).__name__,
                                                self.align_corners)
        losses = [
            self.scale_loss(s, t, label, ignore_index)
            for s, t in zip(student, teacher)
        ]
        return self.loss_weight * weighted_scale_mean(losses, weights)

    @property
    def loss_name(self) -> str:
        """Name of the loss item; ``loss_`` makes it part of the total."""
        return self._loss_name


__all__ = [
    'BaseFeaturePairLoss', 'check_scale_weights', 'pair_scales',
    'scale_masks', 'cosine_map', 'zero_loss', 'weighted_scale_mean'
]

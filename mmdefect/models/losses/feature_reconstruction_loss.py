"""Student-teacher feature reconstruction loss (MMR-style baseline)."""
from typing import Optional, Sequence

import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor

from .feature_pairs import (BaseFeaturePairLoss, cosine_map, scale_masks,
                            zero_loss)


@MODELS.register_module()
class FeatureReconstructionLoss(BaseFeaturePairLoss):
    r"""Reconstruct the frozen teacher's features with the student.

    The baseline of CAT's Tables 1-2 ("ViT + standard FPN + traditional
    :math:`\ell_2` reconstruction loss", in the style of MMR, Zhang et al.
    2023): per scale, the mean over the normal locations of

    - ``distance='l2'``: :math:`\frac{1}{C}\lVert f_s - f_t \rVert_2^2`
      (mean squared error over channels), on channel-normalised features
      when ``normalize=True`` (then it equals :math:`\frac{2}{C}(1 -
      \cos)`);
    - ``distance='cosine'``: :math:`1 - \cos(f_s, f_t)` (MMR's own loss).

    Normal locations are as in :class:`WeightedContrastiveLoss`: cells of
    the label without any non-zero, non-ignored pixel, so droplets (if a
    pipeline adds any) are excluded rather than reconstructed.  Scales are
    averaged with ``scale_weights``.

    Args:
        distance (str): ``'l2'`` or ``'cosine'``. Defaults to 'l2'.
        normalize (bool): L2-normalise the channels first (``'l2'`` only).
            Defaults to False.
        scale_weights (Sequence[float], optional): One weight per scale.
        loss_weight (float): Defaults to 1.0.
        ignore_index (int): Defaults to 255.
        align_corners (bool): Of the student-to-teacher size alignment.
        loss_name (str): Defaults to 'loss_rec'.
    """

    DISTANCES = ('l2', 'cosine')

    def __init__(self,
                 distance: str = 'l2',
                 normalize: bool = False,
                 scale_weights: Optional[Sequence[float]] = None,
                 loss_weight: float = 1.0,
                 ignore_index: int = 255,
                 align_corners: bool = False,
                 loss_name: str = 'loss_rec'):
        super().__init__(
            scale_weights=scale_weights,
            loss_weight=loss_weight,
            ignore_index=ignore_index,
            align_corners=align_corners,
            loss_name=loss_name)
        if distance not in self.DISTANCES:
            raise ValueError(f'FeatureReconstructionLoss: distance must be '
                             f'one of {self.DISTANCES}, got {distance!r}')
        self.distance = distance
        self.normalize = normalize

    def distance_map(self, student: Tensor, teacher: Tensor) -> Tensor:
        """Per-location distance ``(N, h, w)``."""
        if self.distance == 'cosine':
            return 1.0 - cosine_map(student, teacher)
        if self.normalize:
            student = F.normalize(student, dim=1)
            teacher = F.normalize(teacher, dim=1)
        return (student - teacher).pow(2).mean(dim=1)

    def scale_loss(self, student: Tensor, teacher: Tensor, label: Tensor,
                   ignore_index: int) -> Tensor:
        """Mean distance over the normal locations of one scale."""
        dist = self.distance_map(student, teacher)
        normal, _ = scale_masks(label, dist.shape[-2:], ignore_index)
        return dist[normal].mean() if normal.any() else zero_loss([dist])

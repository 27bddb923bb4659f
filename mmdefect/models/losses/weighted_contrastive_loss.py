"""CAT's multi-scale weighted contrastive loss (paper Eq. 1-3)."""
from typing import Optional, Sequence

import torch
from mmseg.registry import MODELS
from torch import Tensor

from .feature_pairs import (BaseFeaturePairLoss, cosine_map, scale_masks,
                            zero_loss)


@MODELS.register_module()
class WeightedContrastiveLoss(BaseFeaturePairLoss):
    r"""Weighted contrastive loss with hard-negative weights (Eq. 1-3).

    `Contrastive Augmented Transformer ... Metal Surface Defect Detection
    <https://arxiv.org/abs/2606.01962>`_, Section 3.4.  Inputs are, per
    scale, the student's features of the *augmented* image and the frozen
    teacher's features of the *original* image, plus the droplet label.

    **Pairs.** At every location of a scale the *anchor* :math:`a` is the
    student feature of the augmented image.  At normal locations (label 0,
    see :func:`~mmdefect.models.losses.feature_pairs.scale_masks` for the
    downsampling) its *positive* :math:`p` is the teacher feature of the
    original image at the same location.  At droplet locations the teacher
    feature there is a *negative* :math:`n`: the set :math:`N` of one image
    at one scale is all its droplet locations (subsampled to
    ``max_negatives``).  This is the pairing that the test-time anomaly map
    (``1 - s`` per location, :class:`~mmdefect.models.CATHead`) measures.

    **Eq. 1**: :math:`s(x, y) = \cos(f(x), f(y))`, :math:`d = 1 - s`.

    **Eq. 3**: :math:`\omega_n = \mathrm{softmax}_{n \in N}(\tau\,s(a, n))`
    over the negatives of the image.  The weights are importance weights of
    hard-negative mining and are detached (no gradient flows through the
    softmax).  With ``hard_negative_weighting=False`` every
    :math:`\omega_n = 1/|N|` (plain contrastive loss, the ablation).

    **Eq. 2, as implemented.** Taken literally,
    :math:`\mathbb{E}[d(a,p) + \sum_n \omega_n d(a,n)]` is *minimised*, so
    its second term would pull negatives towards the anchor, the opposite
    of the text ("assign larger penalties to negatives that are close to
    the anchor").  We implement the stated intent with a hinge on the
    negative distance::

        L_s = mean_{normal} d(a, p)
              + neg_weight * mean_{images} sum_{n in N} w_n max(0, m - d(a, n))

    i.e. positives are pulled together and the (weighted) negatives are
    pushed until their distance reaches the margin ``m`` (``margin``, in
    ``[0, 2]``; the default 1 asks for orthogonal features).  The gradient
    of the negative term with respect to :math:`s(a, n)` is
    :math:`+\omega_n` while :math:`d(a,n) < m`, so minimisation *lowers*
    the similarity of negatives, most for the hardest ones; negatives
    already beyond the margin contribute nothing.  ``margin=None`` gives the
    unbounded variant :math:`-\sum_n \omega_n d(a, n)` (Eq. 2 with the sign
    of its second term flipped).

    **Scales**: :math:`L = \mathrm{loss\_weight} \cdot \sum_s w_s L_s /
    \sum_s w_s` with ``scale_weights`` :math:`w_s` (equal by default).
    The positive mean is over all normal locations of the batch; an image
    or batch without negatives (or positives) gives that term 0.

    Args:
        tau (float): :math:`\tau` of Eq. 3. Defaults to 10.
        margin (float, optional): Hinge margin on :math:`d(a, n)`; ``None``
            for the unbounded form. Defaults to 1.0.
        hard_negative_weighting (bool): Eq. 3 weights (True) or uniform
            (False). Defaults to True.
        neg_weight (float): Weight of the negative term. Defaults to 1.0.
        scale_weights (Sequence[float], optional): :math:`w_s`, one per
            scale. Defaults to None (equal).
        max_negatives (int, optional): At most this many negatives per image
            and scale, a random subset (memory bound). Defaults to 4096.
        neg_threshold (float): Share of droplet pixels that makes a feature
            cell a negative. Defaults to 0.5.
        seed (int, optional): Seed of the subsampling generator; None uses
            torch's global generator (seeded by mmengine). Defaults to None.
        loss_weight (float): Defaults to 1.0.
        ignore_index (int): Label ignored (padding). Defaults to 255.
        align_corners (bool): Of the student-to-teacher size alignment.
            Defaults to False.
        loss_name (str): Defaults to 'loss_wcl'.
    """

    def __init__(self,
                 tau: float = 10.0,
                 margin: Optional[float] = 1.0,
                 hard_negative_weighting: bool = True,
                 neg_weight: float = 1.0,
                 scale_weights: Optional[Sequence[float]] = None,
                 max_negatives: Optional[int] = 4096,
                 neg_threshold: float = 0.5,
                 seed: Optional[int] = None,
                 loss_weight: float = 1.0,
                 ignore_index: int = 255,
                 align_corners: bool = False,
                 loss_name: str = 'loss_wcl'):
        super().__init__(
            scale_weights=scale_weights,
            loss_weight=loss_weight,
            ignore_index=ignore_index,
            align_corners=align_corners,
            loss_name=loss_name)
        if tau <= 0:
            raise ValueError(f'WeightedContrastiveLoss: tau must be > 0, got '
                             f'{tau!r}')
        if margin is not None and not 0 <= margin <= 2:
            raise ValueError('WeightedContrastiveLoss: margin must be in '
                             f'[0, 2] (cosine distance) or None, got '
                             f'{margin!r}')
        if max_negatives is not None and max_negatives < 1:
            raise ValueError('WeightedContrastiveLoss: max_negatives must be '
                             f'>= 1 or None, got {max_negatives!r}')
        self.tau = float(tau)
        self.margin = None if margin is None else float(margin)
        self.hard_negative_weighting = hard_negative_weighting
        self.neg_weight = float(neg_weight)
        self.max_negatives = max_negatives
        self.neg_threshold = float(neg_threshold)
        self.seed = seed
        self._generator = None if seed is None else torch.Generator(
        ).manual_seed(seed)

    def negative_weights(self, sims: Tensor) -> Tensor:
        """Eq. 3 (or uniform) weights of one image's negatives, detached."""
        if self.hard_negative_weighting:
            return torch.softmax(self.tau * sims.detach(), dim=0)
        return torch.full_like(sims, 1.0 / sims.numel()).detach()

    def negative_term(self, sims: Tensor) -> Tensor:
        """``sum_n w_n max(0, m - d(a, n))`` for one image's similarities
        (or ``-sum_n w_n d(a, n)`` without a margin)."""
        weights = self.negative_weights(sims)
        dist = 1.0 - sims
        if self.margin is None:
            return -(weights * dist).sum()
        return (weights * (self.margin - dist).clamp(min=0)).sum()

    def _subsample(self, sims: Tensor) -> Tensor:
        if self.max_negatives is None or sims.numel() <= self.max_negatives:
            return sims
        order = torch.randperm(sims.numel(), generator=self._generator)
        return sims[order[:self.max_negatives].to(sims.device)]

    def scale_loss(self, student: Tensor, teacher: Tensor,
                   label: Tensor, ignore_index: int) -> Tensor:
        """:math:`L_s` of one scale (see the class docstring)."""
        sims = cosine_map(student, teacher)
        normal, negative = scale_masks(
            label, sims.shape[-2:], ignore_index, self.neg_threshold)
        loss = zero_loss([sims])
        if normal.any():
            loss = loss + (1.0 - sims[normal]).mean()
        terms = [
            self.negative_term(self._subsample(sims[i][negative[i]]))
            for i in range(sims.shape[0]) if negative[i].any()
        ]
        if terms:
            loss = loss + self.neg_weight * torch.stack(terms).mean()
        return loss

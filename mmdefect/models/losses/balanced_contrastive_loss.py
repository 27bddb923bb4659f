"""Multi-class balanced contrastive loss of CADNet (paper Eq. 8-10)."""
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class BalancedContrastiveLoss(nn.Module):
    r"""Balanced contrastive loss (BCL) on a Siamese feature distance map.

    The loss pulls the feature distance of defect-free pixels (label 0) below
    a margin :math:`\tau_{ok}` and pushes the distance of defect pixels
    (labels :math:`1..C`) above a margin :math:`\tau_{ng}`.  Label 0 is always
    the defect-free ("unchanged") class; every other label except
    ``ignore_index`` is a defect ("changed") class.

    **Eq. 8 (contrastive loss, CL)**, per pixel with distance :math:`d`::

        CL(d, y) = max(0, d - tau_ok)       if y == 0
                   max(0, tau_ng[y] - d)    if y in 1..C

    **Eq. 9 (balance factor)**, for every defect class :math:`p` present in
    the batch, with :math:`n_q` the number of non-ignored pixels of class
    :math:`q` in the whole batch and the sum running over the defect classes
    present::

        B_p = (sum_q n_q) / n_p

    **Eq. 10 (BCL)**: defect pixels of class :math:`p` are weighted by
    :math:`B_p`, defect-free pixels by 1::

        BCL(d, y) = CL(d, y)              if y == 0
                    B_y * CL(d, y)        if y in 1..C

    **Reduction**: the per-pixel terms are summed and divided by the number of
    non-ignored pixels in the batch, then multiplied by ``loss_weight``
    (:math:`\lambda_2` of Eq. 16).  A batch without any non-ignored pixel
    gives a loss of 0 that is still attached to the graph.

    Deviations from the paper and from the authors' code, and why:

    - Eq. 8 writes the defect-free term as ``d - tau_ok`` without a clamp.
      That term is unbounded below, its gradient does not depend on
      ``tau_ok`` at all, and it contradicts the text ("the feature distance is
      expected to reduce towards tau_ok").  Like the authors' code we use the
      hinge ``max(0, d - tau_ok)``.
    - Eq. 9 is computed from the pixel counts of the current batch for any
      number of defect classes, over the defect classes present (absent
      classes get no term, so a batch with one defect class has ``B = 1``).
      The authors' code instead hard-codes ``B = [1/0.924, 1/0.076]`` and
      gives classes >= 3 no term at all, which breaks PCB (6 defect classes)
      and MVTec (15).
    - Eq. 10 writes the sum from ``c = 0``; the balance factor only applies to
      defect classes (Eq. 9 is defined over change points), so the
      defect-free term keeps weight 1 as in Eq. 10's first case.
    - Normalisation: the authors' code sums over the batch and divides by the
      pixel count of one image, then multiplies by 0.001, so its scale grows
      with the batch size.  Here the loss is a per-pixel mean over the
      non-ignored pixels, independent of batch size and image size, and the
      default ``loss_weight`` is the paper's :math:`\lambda_2 = 1`.  The
      authors' setting corresponds to roughly
      ``loss_weight = 0.001 * batch_size`` at 512x512 input.
    - Resolution: as in the authors' code the distance map (1/4 of the input
      size for MiT) is upsampled bilinearly to the label size; labels are not
      downsampled, so thin defects keep all their pixels.
    - Like the paper and the code, neither term is squared (unlike the
      classical contrastive loss of Hadsell et al.).

    With ``balanced=False`` every :math:`B_p` is 1: this is the plain
    contrastive loss of Eq. 8 ("CL" row of the paper's Table 7).

    Args:
        margin_ok (float): :math:`\tau_{ok}`, the margin of the defect-free
            class 0. Defaults to 0.3 (paper).
        margin_ng (float | Sequence[float]): :math:`\tau_{ng}`.  A float
            applies to every defect class; a sequence gives one margin per
            defect class, ``margin_ng[c - 1]`` for class ``c``, and a label
            outside ``1..len(margin_ng)`` (other than ``ignore_index``) raises
            ``ValueError``. Defaults to 2.2 (paper).
        balanced (bool): Apply the balance factors of Eq. 9-10.  ``False``
            gives the plain contrastive loss of Eq. 8. Defaults to True.
        loss_weight (float): Weight of the loss (:math:`\lambda_2`).
            Defaults to 1.0.
        ignore_index (int): Label ignored by the loss, unless ``forward`` is
            given another one. Defaults to 255.
        align_corners (bool): ``align_corners`` of the bilinear upsampling of
            the distance map. Defaults to False.
        loss_name (str): Name of the loss item in the log; it must start with
            ``loss_`` to be back-propagated. Defaults to 'loss_bcl'.
    """

    def __init__(self,
                 margin_ok: float = 0.3,
                 margin_ng: Union[float, Sequence[float]] = 2.2,
                 balanced: bool = True,
                 loss_weight: float = 1.0,
                 ignore_index: int = 255,
                 align_corners: bool = False,
                 loss_name: str = 'loss_bcl'):
        super().__init__()
        if margin_ok < 0:
            raise ValueError(f'margin_ok must be >= 0, got {margin_ok}')
        margins_ng = torch.tensor(
            margin_ng if isinstance(margin_ng, Sequence) else [margin_ng],
            dtype=torch.float32)
        if margins_ng.ndim != 1 or margins_ng.numel() == 0:
            raise ValueError('margin_ng must be a float or a non-empty '
                             f'sequence of floats, got {margin_ng}')
        if (margins_ng < 0).any():
            raise ValueError(f'margin_ng must be >= 0, got {margin_ng}')
        self.margin_ok = float(margin_ok)
        self.per_class_margin = isinstance(margin_ng, Sequence)
        self.register_buffer('margins_ng', margins_ng, persistent=False)
        self.balanced = balanced
        self.loss_weight = loss_weight
        self.ignore_index = ignore_index
        self.align_corners = align_corners
        self._loss_name = loss_name

    def forward(self,
                dist_map: Tensor,
                label: Tensor,
                ignore_index: Optional[int] = None,
                **kwargs) -> Tensor:
        """Compute the loss.

        Args:
            dist_map (Tensor): Feature distance map (Eq. 7), ``(N, 1, h, w)``
                or ``(N, h, w)``.  Upsampled bilinearly to the label size if
                ``(h, w)`` differs from it.
            label (Tensor): Ground-truth class indices ``(N, H, W)``, 0 for
                defect-free pixels.
            ignore_index (int, optional): Overrides ``self.ignore_index``.

        Returns:
            Tensor: The scalar loss.
        """
        if ignore_index is None:
            ignore_index = self.ignore_index
        if dist_map.dim() == 4:
            if dist_map.shape[1] != 1:
                raise ValueError('dist_map must have one channel, got shape '
                                 f'{tuple(dist_map.shape)}')
            dist_map = dist_map[:, 0]
        if label.dim() != 3 or dist_map.dim() != 3:
            raise ValueError('expected dist_map (N, 1, h, w) or (N, h, w) and '
                             f'label (N, H, W), got {tuple(dist_map.shape)} '
                             f'and {tuple(label.shape)}')
        if dist_map.shape[-2:] != label.shape[-2:]:
            dist_map = resize(
                dist_map[:, None],
                size=label.shape[-2:],
                mode='bilinear',
                align_corners=self.align_corners)[:, 0]

        valid = label != ignore_index
        dist = dist_map[valid]
        target = label[valid].long()
        if target.numel() == 0:
            return dist_map.sum() * 0.

        if target.min() < 0:
            raise ValueError(f'negative label {target.min().item()} that is '
                             f'not ignore_index={ignore_index}')
        num_ng = self.margins_ng.numel()
        if self.per_class_margin and target.max() > num_ng:
            raise ValueError(
                f'label {target.max().item()} has no margin: margin_ng gives '
                f'{num_ng} defect classes (labels 1..{num_ng})')

        is_ok = target == 0
        margins_ng = self.margins_ng.to(dist.dtype)
        tau_ng = margins_ng[(target - 1).clamp(min=0)] \
            if self.per_class_margin else margins_ng[0]
        # Eq. 8, with the hinge on the defect-free term (see class docstring)
        cl = torch.where(is_ok, (dist - self.margin_ok).clamp(min=0),
                         (tau_ng - dist).clamp(min=0))
        if self.balanced:
            # Eq. 9: B_p = sum_q n_q / n_p over the defect classes present
            counts = torch.bincount(target, minlength=2).to(dist.dtype)
            counts[0] = 0.
            balance = counts.sum() / counts.clamp(min=1.)
            # Eq. 10: defect pixels of class p weighted by B_p, class 0 by 1
            cl = torch.where(is_ok, cl, cl * balance[target])
        return self.loss_weight * cl.sum() / target.numel()

    @property
    def loss_name(self) -> str:
        """Loss name.

        This function must be implemented and will return the name of this
        loss function. This name will be used to combine different loss
        items by simple sum operation. In addition, if you want this loss
        item to be included into the backward graph, `loss_` must be the
        prefix of the name.

        Returns:
            str: The name of this loss item.
        """
        return self._loss_name

"""Encoded reference images, kept to inspect many images against them."""
from typing import List, NamedTuple, Tuple

from torch import Tensor


class ReferenceFeatures(NamedTuple):
    """Multi-stage features of one or more encoded reference images.

    Returned by :meth:`SiameseEncoderDecoder.encode_reference` and accepted
    by its ``predict``/``extract_feat``/``encode_decode`` (``ref_feats=``),
    so a golden reference is encoded once and reused for every inspected
    image compared with it.  The features are what the reference branch
    (its own or the shared backbone, then its neck) produces, before any
    fusion with the inspected image.

    Attributes:
        feats (list[Tensor]): One ``(M, C_i, H_i, W_i)`` tensor per stage.
        input_shape (tuple[int, int]): ``(H, W)`` of the encoded reference
            tensor; the inspected inputs must have the same size.
    """

    feats: List[Tensor]
    input_shape: Tuple[int, int]

    @property
    def batch_size(self) -> int:
        """Number of encoded references ``M``."""
        return int(self.feats[0].shape[0])

    def for_batch(self, num: int) -> List[Tensor]:
        """Features for a batch of ``num`` inspected images.

        One reference (``M = 1``) serves the whole batch (broadcast view, no
        copy); ``M == num`` pairs the references with the images in order.

        Raises:
            ValueError: ``M`` is neither 1 nor ``num``.
        """
        if self.batch_size == num:
            return list(self.feats)
        if self.batch_size == 1:
            return [f.expand(num, *f.shape[1:]) for f in self.feats]
        raise ValueError(
            f'ReferenceFeatures holds {self.batch_size} references, which '
            f'cannot serve a batch of {num} inspected images (give 1 '
            f'reference for all, or one per image)')

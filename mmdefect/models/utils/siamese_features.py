"""The container a Siamese segmentor hands to a pair-aware decode head."""
from typing import List, NamedTuple

from torch import Tensor


class SiameseFeatures(NamedTuple):
    """Multi-stage features of the inspected image and of its reference.

    ``SiameseEncoderDecoder`` with ``fusion='pair'`` passes one instance of this
    tuple to its decode head instead of a plain list of feature maps.  Both lists
    have one tensor per backbone (or neck) stage, highest resolution first, and
    ``img[i]`` and ``ref[i]`` have identical shapes whenever the reference branch
    shares the inspected branch's architecture.

    Attributes:
        img (list[Tensor]): features of the inspected image, each ``(N, C_i, H_i, W_i)``.
        ref (list[Tensor]): features of the defect-free reference, same layout.
    """

    img: List[Tensor]
    ref: List[Tensor]

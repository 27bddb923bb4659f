"""Typed per-pair result of the inferencers (PyTorch and ONNX Runtime)."""
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

import numpy as np


@dataclass
class PairResult:
    """What the inspection of one (inspected, reference) pair gave.

    A pair that failed has ``error`` set and no arrays; the others of the
    call are unaffected. Decisions use the rule of
    :mod:`mmdefect.evaluation.functional.scores`: ``score >= threshold``.

    Attributes:
        index (int): Position of the pair in the call's inputs.
        pair (tuple[str, str]): ``(inspected, reference)`` names: paths, or
            ``'<array HxWxC>'`` for arrays.
        score_map (np.ndarray | None): ``(H, W)`` float32 defect scores at
            the input size.
        image_score (float | None): Image score (the score rule's
            ``image_score`` of the map).
        defect_mask (np.ndarray | None): ``(H, W)`` bool,
            ``score_map >= threshold``.
        is_defective (bool | None): ``image_score >= threshold``.
        pred_mask (np.ndarray | None): ``(H, W)`` class map of a
            segmentation model (its argmax), ``None`` for anomaly models.
        threshold (float | None): The threshold applied.
        error (str | None): Why the pair failed (names the file).
        visualization (np.ndarray | None): RGB panels when requested.
        out_files (dict[str, str]): Files written for this pair
            (``'pred'``, ``'vis'``, ...), only those actually written.
        reference_cached (bool): The reference's features came from the
            reference-feature cache (encoded once for several pairs).
        data_sample (Any): The model's ``SegDataSample``, kept only when
            asked for (``return_datasamples=True``).

    A pair whose outputs could not be written keeps its arrays and has
    ``error`` saying which file failed.
    """

    index: int
    pair: Tuple[str, str]
    score_map: Optional[np.ndarray] = None
    image_score: Optional[float] = None
    defect_mask: Optional[np.ndarray] = None
    is_defective: Optional[bool] = None
    pred_mask: Optional[np.ndarray] = None
    threshold: Optional[float] = None
    error: Optional[str] = None
    visualization: Optional[np.ndarray] = None
    out_files: Dict[str, str] = field(default_factory=dict)
    reference_cached: bool = False
    data_sample: Optional[Any] = None

    @property
    def ok(self) -> bool:
        """Whether the pair was scored."""
        return self.error is None and self.score_map is not None

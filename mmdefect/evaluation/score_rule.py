"""The configurable score rule that thresholds are bound to."""
from dataclasses import asdict, dataclass
from typing import Any, Mapping, Union

import numpy as np

from .functional.scores import (SCORE_SOURCES, check_image_score_rule,
                                image_score, score_map)


@dataclass(frozen=True)
class ScoreRule:
    """Which pixel scores and which image score a threshold applies to.

    One object carries the choice made in a config (``AnomalyMetric``'s
    ``score_key``/``image_score``/``topk``) to every consumer; a calibrated
    threshold stores :meth:`to_dict` next to its value, and a consumer with
    another rule refuses it (:meth:`check_compatible`).

    Args:
        source (str): ``'auto'``, ``'anomaly_map'`` or ``'seg_logits'``
            (see :func:`~mmdefect.evaluation.functional.scores.score_map`).
        image_score (str): ``'max'`` or ``'topk_mean'``.
        topk (int | float): Pixels (int) or fraction (float) of
            ``'topk_mean'``.
    """

    source: str = 'auto'
    image_score: str = 'max'
    topk: Union[int, float] = 100

    def __post_init__(self):
        if self.source not in SCORE_SOURCES:
            raise ValueError(f'ScoreRule.source must be one of '
                             f'{SCORE_SOURCES}, got {self.source!r}')
        check_image_score_rule(self.image_score, self.topk)

    def pixel_scores(self, data_sample: Any) -> np.ndarray:
        """``(H, W)`` float32 score map of a prediction."""
        return score_map(data_sample, self.source)

    def image_score_of(self, scores: np.ndarray) -> float:
        """Image score of a score map under this rule."""
        return image_score(scores, self.image_score, self.topk)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, value: Mapping) -> 'ScoreRule':
        unknown = set(value) - {'source', 'image_score', 'topk'}
        if unknown:
            raise ValueError(f'unknown ScoreRule fields {sorted(unknown)}')
        return cls(**dict(value))

    def same_pixel_scores(self, other: 'ScoreRule') -> bool:
        """Whether both rules give the same pixel scores ('auto' matches
        either explicit source)."""
        return ('auto' in (self.source, other.source)
                or self.source == other.source)

    def check_compatible(self, other: 'ScoreRule', level: str,
                         where: str) -> None:
        """Raise ``ValueError`` if a threshold computed under ``other`` at
        ``level`` (``'pixel'`` or ``'image'``) cannot be applied here.

        Args:
            other (ScoreRule): The rule the threshold was computed with.
            level (str): ``'pixel'`` or ``'image'``.
            where (str): Where the threshold came from (for the message).
        """
        same = self.same_pixel_scores(other)
        if level == 'image':
            same = same and (self.image_score, self.topk) == (
                other.image_score, other.topk)
        if not same:
            raise ValueError(
                f'the {level}-level threshold from {where} was computed with '
                f'the score rule {other.to_dict()}, but this run uses '
                f'{self.to_dict()}; recalibrate, or use the same rule')

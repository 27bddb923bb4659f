import numpy as np
import pytest
import torch

from mmdefect.evaluation.functional.scores import image_score, score_map
from mmdefect.evaluation.score_rule import ScoreRule


def test_rule_applies_the_score_layer():
    sample = dict(seg_logits=dict(data=torch.randn(2, 6, 6)),
                  anomaly_map=dict(data=torch.rand(1, 6, 6)))
    rule = ScoreRule('seg_logits', 'topk_mean', 5)
    scores = rule.pixel_scores(sample)
    np.testing.assert_array_equal(scores, score_map(sample, 'seg_logits'))
    assert rule.image_score_of(scores) == image_score(scores, 'topk_mean', 5)
    assert ScoreRule.from_dict(rule.to_dict()) == rule
    assert rule.to_dict() == dict(source='seg_logits',
                                  image_score='topk_mean', topk=5)


def test_compatibility():
    logits = ScoreRule('seg_logits')
    ScoreRule('auto').check_compatible(logits, 'image', 'x')
    logits.check_compatible(ScoreRule('seg_logits', 'topk_mean'), 'pixel',
                            'x')
    with pytest.raises(ValueError, match='image-level threshold from ck'):
        logits.check_compatible(ScoreRule('seg_logits', 'topk_mean'),
                                'image', 'ck')
    with pytest.raises(ValueError, match='recalibrate'):
        logits.check_compatible(ScoreRule('anomaly_map'), 'pixel', 'ck')


def test_invalid_rules():
    for kwargs in [dict(source='logits'), dict(image_score='mean'),
                   dict(topk=0)]:
        with pytest.raises(ValueError):
            ScoreRule(**kwargs)
    with pytest.raises(ValueError, match='unknown ScoreRule fields'):
        ScoreRule.from_dict(dict(source='auto', level='pixel'))

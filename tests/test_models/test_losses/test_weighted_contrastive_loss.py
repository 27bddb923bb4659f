import math

import pytest
import torch
import torch.nn.functional as F
from mmseg.registry import MODELS

from mmdefect.models.losses import WeightedContrastiveLoss
from mmdefect.models.losses.feature_pairs import scale_masks


def unit(angle):
    """A 2-channel feature at ``angle`` (cos of two features = cos of the
    angle between them)."""
    return torch.tensor([math.cos(angle), math.sin(angle)])


def one_image(features_s, features_t, labels):
    """(1, 2, 1, K) student/teacher maps and a (1, 1, K) label."""
    s = torch.stack(features_s, dim=1)[None, :, None]
    t = torch.stack(features_t, dim=1)[None, :, None]
    return s, t, torch.tensor(labels)[None, None]


def test_registered_and_named():
    loss = MODELS.build(dict(type='WeightedContrastiveLoss'))
    assert isinstance(loss, WeightedContrastiveLoss)
    assert loss.loss_name == 'loss_wcl'


def test_identical_features_without_negatives_reach_the_minimum():
    loss = WeightedContrastiveLoss()
    feats = [torch.randn(2, 8, 6, 6), torch.randn(2, 16, 3, 3)]
    label = torch.zeros(2, 24, 24, dtype=torch.long)
    assert loss(feats, [f.clone() for f in feats], label).item() == \
        pytest.approx(0.0, abs=1e-6)
    # any other student is worse
    other = [f + 0.5 * torch.randn_like(f) for f in feats]
    assert loss(other, feats, label).item() > 0.01


def test_positive_term_is_the_mean_cosine_distance():
    a = [unit(0.0), unit(math.pi / 3), unit(math.pi / 2)]
    t = [unit(0.0), unit(0.0), unit(0.0)]
    s, tt, label = one_image(a, t, [0, 0, 0])
    expected = (0 + (1 - 0.5) + 1) / 3
    assert WeightedContrastiveLoss()([s], [tt], label).item() == \
        pytest.approx(expected, abs=1e-6)


def test_hard_negative_raises_the_loss_more_than_an_easy_one():
    loss = WeightedContrastiveLoss(margin=1.0)
    t = [unit(0.0), unit(0.0)]
    # location 1 is a droplet; its student feature is close (hard) or far
    # (easy) from the teacher's feature of the original image there
    hard = one_image([unit(0.0), unit(0.3)], t, [0, 1])
    easy = one_image([unit(0.0), unit(1.4)], t, [0, 1])
    l_hard = loss([hard[0]], [hard[1]], hard[2]).item()
    l_easy = loss([easy[0]], [easy[1]], easy[2]).item()
    # single negative: weight 1, hinge max(0, m - d) = s for m = 1
    assert l_hard == pytest.approx(math.cos(0.3), abs=1e-6)
    assert l_easy == pytest.approx(math.cos(1.4), abs=1e-6)
    assert l_hard > l_easy
    beyond = one_image([unit(0.0), unit(2.0)], t, [0, 1])  # d > margin
    assert loss([beyond[0]], [beyond[1]], beyond[2]).item() == \
        pytest.approx(0.0, abs=1e-6)


def test_eq3_weights_and_the_plain_ablation():
    tau = 5.0
    t = [unit(0.0)] * 3
    s, tt, label = one_image([unit(0.0), unit(0.2), unit(1.2)], t, [0, 1, 1])
    sims = torch.tensor([math.cos(0.2), math.cos(1.2)])
    hinge = sims  # margin 1: max(0, 1 - (1 - s)) = s for s > 0
    w = torch.softmax(tau * sims, 0)
    weighted = WeightedContrastiveLoss(tau=tau)([s], [tt], label).item()
    plain = WeightedContrastiveLoss(
        tau=tau, hard_negative_weighting=False)([s], [tt], label).item()
    assert weighted == pytest.approx((w * hinge).sum().item(), abs=1e-6)
    assert plain == pytest.approx(hinge.mean().item(), abs=1e-6)
    # the hard negative dominates the weighted loss
    assert w[0] > 0.9 and weighted > plain
    loss = WeightedContrastiveLoss(tau=tau)
    torch.testing.assert_close(loss.negative_weights(sims), w)


def test_sign_of_eq2_as_implemented_pushes_negatives_apart():
    t = [unit(0.0), unit(0.0)]
    s, tt, label = one_image([unit(0.0), unit(0.5)], t, [0, 1])
    s = s.clone().requires_grad_(True)
    for margin in (1.0, None):
        loss = WeightedContrastiveLoss(margin=margin)([s], [tt], label)
        grad, = torch.autograd.grad(loss, s)
        stepped = s - 0.1 * grad
        before = F.cosine_similarity(s[..., 1], tt[..., 1], dim=1)
        after = F.cosine_similarity(stepped[..., 1], tt[..., 1], dim=1)
        assert after.item() < before.item()  # the negative moved away
    # Eq. 2 taken literally (+ w d) would pull it closer: our unbounded
    # form is its negative second term
    literal = (1 - F.cosine_similarity(s[..., 1], tt[..., 1], dim=1)).sum()
    ours = WeightedContrastiveLoss(margin=None)([s], [tt], label)
    assert ours.item() == pytest.approx(-literal.item(), abs=1e-6)


def test_scale_weights_and_loss_weight():
    t = [unit(0.0)] * 2
    s0 = one_image([unit(0.0), unit(math.pi / 2)], t, [0, 0])  # L = 0.5
    s1 = one_image([unit(0.0), unit(0.0)], t, [0, 0])  # L = 0
    label = s0[2]
    loss = WeightedContrastiveLoss(scale_weights=[3, 1], loss_weight=2.0)
    value = loss([s0[0], s1[0]], [s0[1], s1[1]], label).item()
    assert value == pytest.approx(2.0 * (3 * 0.5 + 1 * 0) / 4, abs=1e-6)
    with pytest.raises(ValueError, match='scale_weights'):
        WeightedContrastiveLoss(scale_weights=[1])([s0[0], s1[0]],
                                                   [s0[1], s1[1]], label)
    with pytest.raises(ValueError, match='scale_weights'):
        WeightedContrastiveLoss(scale_weights=[-1, 1])


def test_label_downsampling_and_ignore():
    label = torch.zeros(1, 8, 8, dtype=torch.long)
    label[0, :4, :4] = 1  # one full droplet cell of a 2x2 grid
    label[0, 4:, 4:] = 255  # one ignored cell
    label[0, 0, 7] = 1  # one droplet pixel in a normal cell
    normal, negative = scale_masks(label, (2, 2))
    assert negative[0].tolist() == [[True, False], [False, False]]
    assert normal[0].tolist() == [[False, False], [True, False]]
    # ignored cells are neither
    feats = torch.randn(1, 4, 2, 2)
    loss = WeightedContrastiveLoss()([feats], [feats.clone()], label)
    # negative cell: identical features, s = 1 -> hinge 1
    assert loss.item() == pytest.approx(1.0, abs=1e-6)


def test_negatives_are_subsampled_with_a_seed():
    torch.manual_seed(0)
    s = torch.randn(1, 4, 16, 16)
    t = torch.randn(1, 4, 16, 16)
    label = torch.ones(1, 16, 16, dtype=torch.long)
    a = WeightedContrastiveLoss(max_negatives=10, seed=1)([s], [t], label)
    b = WeightedContrastiveLoss(max_negatives=10, seed=1)([s], [t], label)
    full = WeightedContrastiveLoss(max_negatives=None)([s], [t], label)
    assert a.item() == b.item()
    assert a.item() != pytest.approx(full.item(), abs=1e-7)


def test_student_of_another_size_is_aligned_and_bad_input_refused():
    s = torch.randn(2, 4, 7, 7)
    t = torch.randn(2, 4, 8, 8)
    label = torch.zeros(2, 32, 32, dtype=torch.long)
    assert torch.isfinite(WeightedContrastiveLoss()([s], [t], label))
    with pytest.raises(ValueError, match='same'):
        WeightedContrastiveLoss()([torch.randn(2, 3, 8, 8)], [t], label)
    with pytest.raises(ValueError, match='one student map'):
        WeightedContrastiveLoss()([s, s], [t], label)
    with pytest.raises(ValueError, match='margin'):
        WeightedContrastiveLoss(margin=3)


def test_empty_batch_terms_keep_the_graph():
    s = torch.randn(1, 4, 4, 4, requires_grad=True)
    label = torch.full((1, 16, 16), 255, dtype=torch.long)
    loss = WeightedContrastiveLoss()([s], [torch.randn(1, 4, 4, 4)], label)
    assert loss.item() == 0.0
    loss.backward()
    assert s.grad is not None

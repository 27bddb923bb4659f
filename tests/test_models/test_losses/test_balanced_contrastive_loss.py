import pytest
import torch
from mmseg.registry import MODELS

from mmdefect.models.losses.balanced_contrastive_loss import \
    BalancedContrastiveLoss

# A batch of two 2x2 DistMaps at label resolution (no resizing involved).
#
#   image 0: d = [[0.5, 0.1],     y = [[0, 0],
#                 [1.0, 1.5]]          [1, 2]]
#   image 1: d = [[0.2, 0.8],     y = [[1,   1],
#                 [1.7, 0.4]]          [255, 0]]
#
# Eq. 8 per pixel with tau_ok = 0.3, tau_ng = 2.2 (hinge on both terms):
#   image 0: max(0, .5-.3) = .2 | max(0, .1-.3) = 0 | 2.2-1.0 = 1.2
#            | 2.2-1.5 = .7
#   image 1: 2.2-.2 = 2.0 | 2.2-.8 = 1.4 | ignored | max(0, .4-.3) = .1
# 7 non-ignored pixels.
#   plain CL:  (.2 + 0 + 1.2 + .7 + 2.0 + 1.4 + .1) / 7 = 5.6 / 7 = 0.8
# Eq. 9 over the batch: n_1 = 3, n_2 = 1, sum = 4 -> B_1 = 4/3, B_2 = 4.
#   BCL: (.2 + .1 + 4/3 * (1.2 + 2.0 + 1.4) + 4 * .7) / 7 = 27.7 / 21
DIST = torch.tensor([[[0.5, 0.1], [1.0, 1.5]], [[0.2, 0.8], [1.7, 0.4]]])
LABEL = torch.tensor([[[0, 0], [1, 2]], [[1, 1], [255, 0]]])


def _dist(requires_grad=False):
    return DIST.clone().unsqueeze(1).requires_grad_(requires_grad)


def test_plain_contrastive_loss_matches_hand_value():
    loss = BalancedContrastiveLoss(balanced=False)
    assert torch.allclose(loss(_dist(), LABEL), torch.tensor(0.8))


def test_balanced_contrastive_loss_matches_hand_value():
    loss = BalancedContrastiveLoss()
    assert torch.allclose(loss(_dist(), LABEL), torch.tensor(27.7 / 21))


def test_distmap_without_channel_dim_gives_same_loss():
    loss = BalancedContrastiveLoss()
    assert torch.allclose(loss(DIST, LABEL), loss(_dist(), LABEL))


def test_per_class_margins():
    # tau_ng = (2.2, 1.0): the class-2 pixel (d = 1.5) is now beyond its
    # margin, max(0, 1.0 - 1.5) = 0.
    #   plain: (.2 + 1.2 + 2.0 + 1.4 + .1) / 7 = 4.9 / 7 = 0.7
    #   BCL:   (.2 + .1 + 4/3 * 4.6 + 4 * 0) / 7 = 19.3 / 21
    plain = BalancedContrastiveLoss(margin_ng=(2.2, 1.0), balanced=False)
    bcl = BalancedContrastiveLoss(margin_ng=[2.2, 1.0])
    assert torch.allclose(plain(_dist(), LABEL), torch.tensor(0.7))
    assert torch.allclose(bcl(_dist(), LABEL), torch.tensor(19.3 / 21))


def test_margin_ok():
    # tau_ok = 0: defect-free terms .5 + .1 + .4 = 1.0
    #   plain: (1.0 + 1.2 + .7 + 2.0 + 1.4) / 7 = 6.3 / 7 = 0.9
    loss = BalancedContrastiveLoss(margin_ok=0., balanced=False)
    assert torch.allclose(loss(_dist(), LABEL), torch.tensor(0.9))


def test_loss_weight_scales_linearly():
    loss = BalancedContrastiveLoss(loss_weight=0.5)
    assert torch.allclose(loss(_dist(), LABEL), torch.tensor(27.7 / 42))


def test_gradient_signs_and_values():
    # dBCL/dd = +1/7 for a defect-free pixel above tau_ok, -B_y/7 for a
    # defect pixel below tau_ng, 0 for satisfied or ignored pixels.
    dist = _dist(requires_grad=True)
    BalancedContrastiveLoss()(dist, LABEL).backward()
    expected = torch.tensor([[[1 / 7, 0.], [-4 / 21, -4 / 7]],
                             [[-4 / 21, -4 / 21], [0., 1 / 7]]])
    assert torch.allclose(dist.grad[:, 0], expected)


def test_ignored_pixels_do_not_matter():
    loss = BalancedContrastiveLoss()
    dist = DIST.clone()
    dist[1, 1, 0] = 100.
    assert torch.allclose(loss(dist, LABEL), loss(DIST, LABEL))
    # ignore_index given at call time, as BaseDecodeHead passes it
    label = LABEL.clone()
    label[1, 1, 0] = 7
    assert torch.allclose(
        BalancedContrastiveLoss(ignore_index=7)(dist, label),
        loss(DIST, LABEL))
    assert torch.allclose(loss(dist, label, ignore_index=7), loss(DIST, LABEL))


def test_all_ignored_is_zero_finite_and_differentiable():
    dist = _dist(requires_grad=True)
    value = BalancedContrastiveLoss()(dist, torch.full_like(LABEL, 255))
    value.backward()
    assert value.item() == 0.
    assert torch.equal(dist.grad, torch.zeros_like(dist))


def test_absent_class_and_single_class_batches():
    # class 1 absent: only class 2 changed -> B_2 = 1, BCL == CL.
    #   d = [[0.5, 1.5]], y = [[0, 2]]: (.2 + .7) / 2 = .45
    dist = torch.tensor([[[0.5, 1.5]]])
    label = torch.tensor([[[0, 2]]])
    for balanced in (True, False):
        value = BalancedContrastiveLoss(balanced=balanced)(dist, label)
        assert torch.allclose(value, torch.tensor(0.45))
    # only defect-free pixels: (.5-.3 + 1.5-.3) / 2 = .7
    value = BalancedContrastiveLoss()(dist, torch.zeros_like(label))
    assert torch.allclose(value, torch.tensor(0.7))
    # only one defect class: (2.2-.5 + 2.2-1.5) / 2 = 1.2
    value = BalancedContrastiveLoss()(dist, torch.ones_like(label))
    assert torch.allclose(value, torch.tensor(1.2))


def test_distmap_upsampled_to_label_size():
    # d = [[1.0, 2.0]] (1x2) to a 2x4 label, bilinear, align_corners=False:
    # source x = (i + .5) / 2 - .5 = -.25, .25, .75, 1.25 (clamped to 0..1)
    # -> row [1.0, 1.25, 1.75, 2.0]; all class 1: 2.2 - d = 1.2, .95, .45,
    # .2, mean .7
    dist = torch.tensor([[[[1.0, 2.0]]]])
    label = torch.ones(1, 2, 4, dtype=torch.long)
    value = BalancedContrastiveLoss()(dist, label)
    assert torch.allclose(value, torch.tensor(0.7))


def test_many_defect_classes_are_balanced():
    # 6 defect classes (PCB): class c has c pixels at d = 0 -> CL = 2.2 each.
    # n = 1..6, sum 21, B_c = 21 / c, so every class contributes
    # 21 / c * c * 2.2 = 46.2 and BCL = 6 * 46.2 / 21 = 13.2
    label = torch.cat([torch.full((c, ), c) for c in range(1, 7)])
    label = label.view(1, 1, 21)
    value = BalancedContrastiveLoss()(torch.zeros(1, 1, 21), label)
    assert torch.allclose(value, torch.tensor(13.2))


def test_registry_and_loss_name():
    loss = MODELS.build(dict(type='BalancedContrastiveLoss'))
    assert isinstance(loss, BalancedContrastiveLoss)
    assert loss.loss_name == 'loss_bcl'
    assert BalancedContrastiveLoss(loss_name='loss_cl').loss_name == 'loss_cl'


def test_invalid_inputs():
    with pytest.raises(ValueError):
        BalancedContrastiveLoss(margin_ok=-1.)
    with pytest.raises(ValueError):
        BalancedContrastiveLoss(margin_ng=(2.2, -1.))
    with pytest.raises(ValueError):
        BalancedContrastiveLoss(margin_ng=())
    loss = BalancedContrastiveLoss(margin_ng=(2.2, 1.0))
    with pytest.raises(ValueError):
        loss(DIST, torch.full_like(LABEL, 3))
    with pytest.raises(ValueError):
        loss(DIST.unsqueeze(1).repeat(1, 2, 1, 1), LABEL)

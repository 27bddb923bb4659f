import pytest
import torch
import torch.nn.functional as F

from mmdefect.models.losses import FeatureReconstructionLoss


def test_l2_and_cosine_values():
    s = torch.tensor([[1.0, 0.0], [0.0, 2.0]]).T[None, :, None]  # (1,2,1,2)
    t = torch.tensor([[1.0, 0.0], [2.0, 0.0]]).T[None, :, None]
    label = torch.zeros(1, 1, 2, dtype=torch.long)
    l2 = FeatureReconstructionLoss()([s], [t], label).item()
    # location 0: 0; location 1: ((0-2)^2 + (2-0)^2) / 2 = 4
    assert l2 == pytest.approx(2.0)
    cos = FeatureReconstructionLoss(distance='cosine')([s], [t], label)
    assert cos.item() == pytest.approx((0 + 1) / 2)
    norm = FeatureReconstructionLoss(normalize=True)([s], [t], label)
    # normalised: location 1 = ((0-1)^2 + (1-0)^2) / 2 = 1
    assert norm.item() == pytest.approx(0.5)
    assert norm.item() == pytest.approx(cos.item() * 2 / 2)


def test_droplets_and_ignored_pixels_are_not_reconstructed():
    s = torch.randn(1, 3, 4, 4)
    t = torch.randn(1, 3, 4, 4)
    label = torch.zeros(1, 4, 4, dtype=torch.long)
    label[0, :2] = 1
    label[0, 2, :2] = 255
    loss = FeatureReconstructionLoss()([s], [t], label)
    keep = (label[0] == 0)
    expected = (s - t).pow(2).mean(1)[0][keep].mean()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    assert F.mse_loss(s, s).item() == 0
    with pytest.raises(ValueError, match='distance'):
        FeatureReconstructionLoss(distance='l1')

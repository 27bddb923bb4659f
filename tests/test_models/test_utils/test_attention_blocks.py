import math

import pytest
import torch

from mmdefect.models.utils.channel_attention import ChannelAttention
from mmdefect.models.utils.coordinate_attention import CoordinateAttention


def _num_params(module):
    return sum(p.numel() for p in module.parameters())


def test_channel_attention_parameter_count():
    # two bias-free 1x1 convs 1024 -> 64 -> 1024 (cadnet_original.md §1)
    assert _num_params(ChannelAttention(1024, ratio=16)) == 131072


def test_channel_attention_hand_value():
    # C = 2, ratio 2 -> hidden 1; MLP weights w1 = [1, 1], w2 = [1, -1].
    # x: channel 0 = [1, 3], channel 1 = [0, 2] (a 1x2 map)
    # avg = [2, 1] -> relu(3) = 3 -> [3, -3]
    # max = [3, 2] -> relu(5) = 5 -> [5, -5]
    # sigmoid([8, -8])
    att = ChannelAttention(2, ratio=2)
    with torch.no_grad():
        att.mlp[0].conv.weight.copy_(torch.tensor([1., 1.]).view(1, 2, 1, 1))
        att.mlp[1].conv.weight.copy_(torch.tensor([1., -1.]).view(2, 1, 1, 1))
    x = torch.tensor([[[[1., 3.]], [[0., 2.]]]])
    expected = torch.sigmoid(torch.tensor([8., -8.])).view(1, 2, 1, 1)
    assert torch.allclose(att(x), expected)


def test_coordinate_attention_parameter_count():
    # conv 256 -> 64 with bias 16,448 + BN 128 + two convs 64 -> 256 with
    # bias 2 * 16,640 = 49,856 (cadnet_original.md §1)
    assert _num_params(CoordinateAttention(256, reduction=4)) == 49856
    assert _num_params(CoordinateAttention(
        16, reduction=4)) == (16 * 8 + 8 + 2 * 8 + 2 * (8 * 16 + 16))


def test_coordinate_attention_any_size_and_hand_value():
    att = CoordinateAttention(16).eval()
    x = torch.randn(2, 16, 5, 7)
    out = att(x)
    assert out.shape == x.shape
    # zero weights and biases in both output convs: a_h = a_w = sigmoid(0)
    with torch.no_grad():
        for conv in (att.conv_h.conv, att.conv_w.conv):
            conv.weight.zero_()
            conv.bias.zero_()
    assert torch.allclose(att(x), x / 4)


def test_coordinate_attention_rows_and_columns():
    # a_h varies with the row only and a_w with the column only, so
    # out / x = a_h * a_w has rank one per channel
    torch.manual_seed(0)
    att = CoordinateAttention(8).double().eval()
    x = torch.rand(1, 8, 4, 6, dtype=torch.float64) + 1.
    ratio = (att(x) / x)[0].detach()
    for channel in ratio:
        assert torch.linalg.matrix_rank(channel) == 1


def _uniform_std(fan_in):
    # kaiming_uniform(a=sqrt(5)) and the bias: U(-1/sqrt(fan_in), ...)
    return 1. / math.sqrt(fan_in) / math.sqrt(3.)


@pytest.mark.parametrize('after_init_weights', [False, True])
def test_default_init_is_pytorch_conv2d_default(after_init_weights):
    # issue 16 item 4: the authors' blocks are plain nn.Conv2d; the
    # channel attention's first layer (1024 -> 64) has weight std
    # 1/sqrt(3 * 1024) = 0.018, not kaiming fan-out's sqrt(2 / 64) = 0.177
    torch.manual_seed(0)
    att = ChannelAttention(1024, ratio=16)
    coord = CoordinateAttention(256, reduction=4)
    if after_init_weights:
        att.init_weights()
        coord.init_weights()
    fc1 = att.mlp[0].conv.weight
    assert abs(fc1.std().item() - _uniform_std(1024)) < 0.001
    assert fc1.abs().max() <= 1. / 32
    fc2 = att.mlp[1].conv.weight
    assert abs(fc2.std().item() - _uniform_std(64)) < 0.003
    shared = coord.shared.conv
    assert abs(shared.weight.std().item() - _uniform_std(256)) < 0.002
    for conv in (shared, coord.conv_h.conv, coord.conv_w.conv):
        bound = 1. / math.sqrt(conv.in_channels)
        assert conv.bias.abs().max() <= bound
        assert conv.bias.abs().max() > bound / 2  # uniform, not zero
    assert torch.equal(coord.shared.bn.weight, torch.ones(64))
    assert torch.equal(coord.shared.bn.bias, torch.zeros(64))


def test_kaiming_init_stays_selectable():
    torch.manual_seed(0)
    att = ChannelAttention(1024, ratio=16, init_mode='kaiming')
    coord = CoordinateAttention(256, init_mode='kaiming')
    att.init_weights()
    coord.init_weights()
    fc1 = att.mlp[0].conv.weight
    assert abs(fc1.std().item() - math.sqrt(2. / 64)) < 0.005
    for conv in (coord.shared.conv, coord.conv_h.conv, coord.conv_w.conv):
        assert torch.equal(conv.bias, torch.zeros_like(conv.bias))
    with pytest.raises(ValueError, match='init_mode'):
        ChannelAttention(64, init_mode='xavier')


def test_cad_head_passes_init_mode_to_both_blocks():
    from mmseg.registry import MODELS
    cfg = dict(
        type='CADHead',
        in_channels=[8, 8, 8, 8],
        in_index=[0, 1, 2, 3],
        channels=64,
        num_classes=2,
        norm_cfg=dict(type='BN'))
    default = MODELS.build(cfg)
    kaiming = MODELS.build(dict(cfg, att_init_mode='kaiming'))
    assert default.channel_att.init_mode == 'pytorch'
    assert default.coord_att.init_mode == 'pytorch'
    assert kaiming.channel_att.init_mode == 'kaiming'
    assert kaiming.coord_att.init_mode == 'kaiming'
    kaiming.init_weights()
    assert torch.equal(kaiming.coord_att.conv_h.conv.bias, torch.zeros(64))

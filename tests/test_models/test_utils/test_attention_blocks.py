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

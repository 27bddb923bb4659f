import pytest
import torch
from mmseg.models.necks import FPN
from mmseg.registry import MODELS

from mmdefect.models import MSFFPN

SWIN = [32, 64, 128, 256]
TEACHER = [16, 24, 40]


def pyramid(h, w, channels=SWIN, n=2):
    """Backbone-like maps at strides 4, 8, 16, 32 of an (h, w) input."""
    feats, size = [], (h, w)
    for i, c in enumerate(channels):
        stride = 4 * 2**i
        feats.append(torch.randn(n, c, -(-size[0] // stride),
                                 -(-size[1] // stride)))
    return feats


@pytest.mark.parametrize('bidirectional', [True, False])
@pytest.mark.parametrize('h, w', [(64, 64), (96, 160), (100, 52), (36, 28)])
def test_shapes_and_channels_match_the_teacher(bidirectional, h, w):
    neck = MSFFPN(SWIN, TEACHER, channels=32, bidirectional=bidirectional)
    feats = pyramid(h, w)
    outs = neck(feats)
    assert len(outs) == 3
    for out, feat, c in zip(outs, feats, TEACHER):
        assert out.shape == (2, c) + feat.shape[2:]


def test_in_index_selects_stages():
    neck = MSFFPN(SWIN, TEACHER, channels=16, in_index=[1, 2, 3])
    feats = pyramid(64, 96)
    outs = neck(feats)
    assert [o.shape[2:] for o in outs] == [f.shape[2:] for f in feats[1:]]
    with pytest.raises(ValueError, match='in_index'):
        MSFFPN(SWIN, TEACHER, in_index=[0, 4])
    with pytest.raises(ValueError, match='out_channels'):
        MSFFPN(SWIN[:2], TEACHER)
    with pytest.raises(ValueError, match='channels'):
        neck([f[:, :1] for f in feats])


def test_input_scales_for_a_single_scale_backbone():
    neck = MSFFPN([48] * 3, TEACHER, channels=16, input_scales=(4, 2, 1),
                  bidirectional=False)
    feats = [torch.randn(1, 48, 4, 6) for _ in range(3)]
    outs = neck(feats)
    assert [tuple(o.shape[2:]) for o in outs] == [(16, 24), (8, 12), (4, 6)]


def test_bidirectional_flow_reaches_every_output():
    """Top-down: the coarsest input changes the finest output; bottom-up:
    the finest input changes the coarsest output (not so in a plain FPN)."""
    torch.manual_seed(0)
    for bidirectional in (True, False):
        neck = MSFFPN(SWIN[:3], TEACHER, channels=16,
                      bidirectional=bidirectional).eval()
        feats = pyramid(64, 64, SWIN[:3], n=1)
        base = neck(feats)
        coarse = [f.clone() for f in feats]
        coarse[2] += 1.0
        fine = [f.clone() for f in feats]
        fine[0] += 1.0
        assert not torch.allclose(neck(coarse)[0], base[0])
        reached = not torch.allclose(neck(fine)[2], base[2])
        assert reached == bidirectional


def test_blocks_of_fig4():
    neck = MSFFPN(SWIN[:3], TEACHER, channels=16)
    kinds = [type(m).__name__ for m in neck.modules()]
    assert kinds.count('ConvTranspose2d') == 2
    up = neck.up_convs[0]
    assert up.kernel_size == (2, 2) and up.stride == (2, 2)
    assert kinds.count('_ChannelLayerNorm') == 3 + 3 + 2
    # channels-last LayerNorm: each location normalised over its channels
    norm = neck.lateral_convs[0][1]
    x = torch.randn(2, 16, 5, 7)
    y = norm(x)
    torch.testing.assert_close(y.mean(1), torch.zeros(2, 5, 7), atol=1e-5,
                               rtol=0)
    gn = MSFFPN(SWIN[:3], TEACHER, channels=16,
                norm_cfg=dict(type='GN', num_groups=1))
    assert isinstance(gn.lateral_convs[0][1], torch.nn.GroupNorm)


def test_plain_mode_is_mmseg_fpn_plus_projections():
    neck = MSFFPN(SWIN, TEACHER, channels=16, bidirectional=False)
    assert isinstance(neck.fpn, FPN)
    feats = pyramid(64, 64)
    expected = neck.fpn(feats)
    outs = neck(feats)
    for out, exp, conv in zip(outs, expected, neck.out_convs):
        torch.testing.assert_close(out, conv(exp))
    # no parameter without a gradient (levels above the outputs)
    sum(o.sum() for o in outs).backward()
    assert all(p.grad is not None for p in neck.parameters())


def test_every_parameter_gets_a_gradient_and_registry():
    neck = MODELS.build(
        dict(type='MSFFPN', in_channels=SWIN, out_channels=TEACHER,
             channels=16))
    outs = neck(pyramid(64, 64))
    sum(o.sum() for o in outs).backward()
    assert all(p.grad is not None for p in neck.parameters())

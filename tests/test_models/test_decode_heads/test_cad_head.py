import pytest
import torch
import torch.nn.functional as F
from mmengine.structures import PixelData
from mmseg.models.backbones import MixVisionTransformer
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from mmdefect.models.decode_heads.cad_head import CADHead
from mmdefect.models.losses.balanced_contrastive_loss import \
    BalancedContrastiveLoss
from mmdefect.models.utils.siamese_features import SiameseFeatures

IN_CHANNELS = [8, 16, 24, 32]
# stage sizes of MiT for a 72x40 input: 18x10, 9x5, 5x3, 3x2
STAGE_SIZES = [(18, 10), (9, 5), (5, 3), (3, 2)]
MIT_B0 = dict(
    in_channels=3,
    embed_dims=32,
    num_stages=4,
    num_layers=[2, 2, 2, 2],
    num_heads=[1, 2, 5, 8],
    patch_sizes=[7, 3, 3, 3],
    sr_ratios=[8, 4, 2, 1],
    out_indices=(0, 1, 2, 3),
    mlp_ratio=4,
    qkv_bias=True)


def _head(**kwargs):
    cfg = dict(
        type='CADHead',
        in_channels=IN_CHANNELS,
        in_index=[0, 1, 2, 3],
        channels=16,
        num_classes=3,
        norm_cfg=dict(type='BN'))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def _feats(batch=2, requires_grad=False):

    def stages():
        return [
            torch.randn(batch, c, h, w, requires_grad=requires_grad)
            for c, (h, w) in zip(IN_CHANNELS, STAGE_SIZES)
        ]

    return SiameseFeatures(img=stages(), ref=stages())


def _samples(batch=2, size=(72, 40)):
    samples = []
    for _ in range(batch):
        sample = SegDataSample()
        label = torch.randint(0, 3, (1, ) + size)
        label[0, 0, :5] = 255
        sample.gt_sem_seg = PixelData(data=label)
        samples.append(sample)
    return samples


def _num_params(module):
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize('change_att', ['supervised', 'semi', None])
def test_forward_shape_at_non_square_size(change_att):
    head = _head(change_att=change_att)
    assert isinstance(head, CADHead)
    assert head(_feats()).shape == (2, 3, 18, 10)
    metas = [dict(img_shape=(72, 40), pad_shape=(72, 40))] * 2
    head.eval()
    assert head.predict(_feats(), metas, {}).shape == (2, 3, 72, 40)


def test_modules_built_per_switch():
    sup, semi, none = (
        _head(change_att=m) for m in ('supervised', 'semi', None))
    assert hasattr(sup, 'channel_att') and hasattr(sup, 'coord_att')
    assert hasattr(semi, 'channel_att') and not hasattr(semi, 'coord_att')
    assert not hasattr(none, 'channel_att')
    assert not hasattr(none, 'coord_att')
    with pytest.raises(ValueError):
        _head(change_att='cross')


def test_loss_keys_and_backward():
    head = _head()
    assert isinstance(head.loss_contrast, BalancedContrastiveLoss)
    feats = _feats(requires_grad=True)
    losses = head.loss(feats, _samples(), {})
    assert set(losses) == {'loss_ce', 'acc_seg', 'loss_bcl'}
    total = losses['loss_ce'] + losses['loss_bcl']
    assert torch.isfinite(total)
    total.backward()
    assert all(f.grad is not None and f.grad.abs().sum() > 0
               for f in feats.img + feats.ref)


def test_ablation_switches():
    # Table 7: CEL only / CEL + plain CL / CEL + BCL, all without CAD
    ce_only = _head(change_att=None, loss_contrast=None)
    assert set(ce_only.loss(_feats(), _samples(),
                            {})) == {'loss_ce', 'acc_seg'}
    plain = _head(
        change_att=None,
        loss_contrast=dict(type='BalancedContrastiveLoss', balanced=False))
    assert not plain.loss_contrast.balanced
    assert 'loss_bcl' in plain.loss(_feats(), _samples(), {})
    bcl = _head(change_att=None)
    assert bcl.loss_contrast.balanced
    assert 'loss_bcl' in bcl.loss(_feats(), _samples(), {})
    semi = _head(change_att='semi')
    assert 'loss_bcl' in semi.loss(_feats(), _samples(), {})


def test_loss_contrast_sees_raw_distmap():
    # loss_bcl equals the loss applied to compute_distmap's output
    head = _head()
    feats = _feats()
    samples = _samples()
    label = torch.stack([s.gt_sem_seg.data[0] for s in samples])
    expected = BalancedContrastiveLoss()(head.compute_distmap(feats), label)
    assert torch.allclose(head.loss(feats, samples, {})['loss_bcl'], expected)


def test_distmap_hand_values():
    # Eq. 7 with two stages and a zero reference:
    #   stage 1 (2 ch, 2x4): channel 0 = 3, channel 1 = 0
    #   stage 2 (1 ch, 1x2): [[0, 4]], bilinear to 2x4 -> rows [0, 1, 3, 4]
    #   DistMap = sqrt(3^2 + u^2) = [3, sqrt(10), sqrt(18), 5] per row
    head = _head(in_channels=[2, 1], in_index=[0, 1], change_att=None)
    stage1 = torch.zeros(1, 2, 2, 4)
    stage1[:, 0] = 3.
    stage2 = torch.tensor([[[[0., 4.]]]])
    feats = SiameseFeatures(
        img=[stage1, stage2],
        ref=[torch.zeros_like(stage1),
             torch.zeros_like(stage2)])
    row = torch.tensor([3., 10**0.5, 18**0.5, 5.])
    dist = head.compute_distmap(feats)
    assert dist.shape == (1, 1, 2, 4)
    assert torch.allclose(dist, row.expand(1, 1, 2, 4), atol=1e-5)
    swapped = SiameseFeatures(img=feats.ref, ref=feats.img)
    assert torch.allclose(head.compute_distmap(swapped), dist, atol=1e-5)
    same = SiameseFeatures(img=feats.img, ref=feats.img)
    assert head.compute_distmap(same).max() < 1e-4


def test_decoder_does_not_backprop_into_distmap():
    for change_att in ('supervised', 'semi'):
        head = _head(change_att=change_att)
        feats = [torch.randn(1, 16, 3, 5) for _ in IN_CHANNELS]
        dist = torch.rand(1, 1, 3, 5, requires_grad=True)
        out = head.change_attention(feats, dist)
        assert out.shape == (1, 64, 3, 5)
        out.sum().backward()
        assert dist.grad is None


def test_supervised_change_attention_formula():
    # Eq. 11-12 as coded: CA(X + D) * (X + tile(CoordAtt(sum x_i + D)))
    head = _head().eval()
    feats = [torch.randn(1, 16, 3, 5) for _ in IN_CHANNELS]
    dist = torch.rand(1, 1, 3, 5)
    d = torch.sigmoid(dist)
    x = torch.cat(feats, dim=1)
    hv = head.coord_att(sum(feats) + d)
    expected = head.channel_att(x + d) * (x + torch.cat([hv] * 4, dim=1))
    assert torch.allclose(head.change_attention(feats, dist), expected)


def test_semi_change_attention_uses_normalised_distmap():
    # Eq. 13-14: Norm(D) * CA(X) * X with a per-image min-max, so the
    # pixel with the smallest distance of each image is zeroed and the
    # largest keeps CA(X) * X
    head = _head(change_att='semi').eval()
    feats = [torch.randn(2, 16, 3, 5) for _ in IN_CHANNELS]
    dist = torch.rand(2, 1, 3, 5) + 0.5
    dist[0, 0, 1, 2] = 0.1
    dist[0, 0, 2, 4] = 3.
    dist[1, 0, 0, 0] = 0.2
    dist[1, 0, 1, 1] = 9.
    out = head.change_attention(feats, dist)
    x = torch.cat(feats, dim=1)
    ca_x = head.channel_att(x) * x
    assert torch.allclose(out[0, :, 1, 2], torch.zeros(64), atol=1e-6)
    assert torch.allclose(out[1, :, 0, 0], torch.zeros(64), atol=1e-6)
    assert torch.allclose(out[0, :, 2, 4], ca_x[0, :, 2, 4], atol=1e-5)
    assert torch.allclose(out[1, :, 1, 1], ca_x[1, :, 1, 1], atol=1e-5)


def test_semi_prediction_independent_of_batch_mates():
    head = _head(change_att='semi').eval()
    feats = _feats()
    other = SiameseFeatures(
        img=[f.clone() for f in feats.img], ref=[f.clone() for f in feats.ref])
    for f in other.img:
        f[1] *= 10.
    with torch.no_grad():
        assert torch.allclose(head(feats)[0], head(other)[0], atol=1e-5)


def test_rejects_non_siamese_input():
    head = _head()
    with pytest.raises(TypeError):
        head(_feats().img)


def test_parameter_count_matches_paper():
    # cadnet_original.md §1, 3 classes, channels 256, MiT-B0 stage dims:
    #   SegFormer MLP head: 1x1 convs 512 * 256 + 4 BN * 512
    #     + fusion 1024 * 256 + BN 512 + conv_seg 256 * 3 + 3 = 396,547
    #   ChannelAttention(1024, 16) 131,072 + CoordAtt(256, mip 64) 49,856
    #   MiT-B0 backbone 3,319,392
    def head(change_att):
        return _head(
            in_channels=[32, 64, 160, 256],
            channels=256,
            change_att=change_att)

    assert _num_params(head(None)) == 396547
    assert _num_params(head('semi')) == 396547 + 131072
    cad = head('supervised')
    assert _num_params(cad) == 396547 + 131072 + 49856 == 577475
    backbone = MixVisionTransformer(**MIT_B0)
    assert _num_params(backbone) == 3319392
    total = _num_params(backbone) + _num_params(cad)
    assert total == 3896867  # the paper's 3.90M
    assert round(total / 1e6, 2) == 3.90


def test_end_to_end_with_mit_at_non_512_size():
    # a shared MiT-B0 on [img; ref] at 72x40; the BCL term alone reaches the
    # encoder (the decoder only sees the detached DistMap)
    torch.manual_seed(0)
    backbone = MixVisionTransformer(**MIT_B0)
    head = _head(in_channels=[32, 64, 160, 256], channels=32)
    img, ref = torch.randn(2, 3, 72, 40), torch.randn(2, 3, 72, 40)
    outs = backbone(torch.cat([img, ref]))
    feats = SiameseFeatures(
        img=[f[:2] for f in outs], ref=[f[2:] for f in outs])
    assert [tuple(f.shape[2:]) for f in feats.img] == STAGE_SIZES
    losses = head.loss(feats, _samples(), {})
    losses['loss_bcl'].backward(retain_graph=True)
    grad = backbone.layers[0][0].projection.weight.grad
    assert grad is not None and grad.abs().sum() > 0
    backbone.zero_grad()
    losses['loss_ce'].backward()
    assert all(
        torch.isfinite(p.grad).all() for p in backbone.parameters()
        if p.grad is not None)


def _literal_logits(head, feats):
    """The head's eval forward written out as the authors' formula (the
    implementation before the fused fast path), with plain tensor ops."""
    img = [feats.img[i] for i in head.in_index]
    ref = [feats.ref[i] for i in head.in_index]
    size = img[0].shape[2:]

    def up(t):
        return F.interpolate(
            t, size=size, mode='bilinear', align_corners=head.align_corners)

    dist = torch.linalg.vector_norm(
        torch.cat([up(a - b) for a, b in zip(img, ref)], dim=1) + 1e-6,
        dim=1,
        keepdim=True)
    xs = [up(conv(a - b)) for conv, a, b in zip(head.convs, img, ref)]
    x = torch.cat(xs, dim=1)

    def ca(t):
        mlp = head.channel_att.mlp
        return torch.sigmoid(
            mlp(t.mean(dim=(2, 3), keepdim=True)) +
            mlp(t.amax(dim=(2, 3), keepdim=True)))

    if head.change_att is None:
        z = x
    else:
        d = torch.sigmoid(dist)
        if head.change_att == 'semi':
            low = d.amin(dim=(1, 2, 3), keepdim=True)
            high = d.amax(dim=(1, 2, 3), keepdim=True)
            z = (d - low) / (high - low + 1e-10) * ca(x) * x
        else:
            hv = head.coord_att(torch.stack(xs).sum(dim=0) + d)
            z = ca(x + d) * (x + hv.repeat(1, len(xs), 1, 1))
    return head.conv_seg(head.fusion_conv(z))


def _randomise_norms(module, seed=0):
    gen = torch.Generator().manual_seed(seed)
    for layer in module.modules():
        if isinstance(layer, torch.nn.BatchNorm2d):
            num = layer.num_features
            layer.running_mean.copy_(torch.randn(num, generator=gen) * 0.5)
            layer.running_var.copy_(torch.rand(num, generator=gen) + 0.5)
            layer.weight.data.copy_(torch.rand(num, generator=gen) + 0.5)
            layer.bias.data.copy_(torch.randn(num, generator=gen) * 0.2)


@pytest.mark.parametrize('change_att', ['supervised', 'semi', None])
@pytest.mark.parametrize('batch', [1, 3])
def test_fast_eval_path_equals_literal_formula(change_att, batch):
    torch.manual_seed(0)
    head = _head(change_att=change_att, channels=32).eval()
    _randomise_norms(head)
    feats = _feats(batch=batch)
    with torch.no_grad():
        fast = head(feats)
        literal = _literal_logits(head, feats)
        train_path = head._forward(feats)[0]
    assert fast.shape == literal.shape == (batch, 3, 18, 10)
    assert (fast - literal).abs().max() <= 1e-5
    # with autograd on, eval mode takes the literal (differentiable) path
    graded = head(feats)
    assert graded.requires_grad
    assert (graded.detach() - literal).abs().max() <= 1e-5
    assert (train_path - literal).abs().max() <= 1e-5
    # the DistMap of the fast path is Eq. 7's
    img, ref = head._stage_pairs(feats)
    diffs = [a - b for a, b in zip(img, ref)]
    assert torch.allclose(
        head._fast_distmap(diffs, diffs[0].shape[2:]),
        head.compute_distmap(feats),
        atol=1e-5)


def test_fast_eval_path_with_mit_b0_widths_and_align_corners():
    # the real channel counts (1,024 attention channels), align_corners
    # and a bicubic stage upsampling; a batch of one broadcast
    # reference as the reference-feature cache hands it over
    torch.manual_seed(1)
    head = _head(
        in_channels=[32, 64, 160, 256],
        channels=256,
        align_corners=True,
        interpolate_mode='bicubic').eval()
    _randomise_norms(head, seed=1)
    sizes = [(16, 12), (8, 6), (4, 3), (2, 2)]
    img = [torch.randn(2, c, h, w) for c, (h, w) in zip(
        [32, 64, 160, 256], sizes)]
    ref = [torch.randn(1, c, h, w).expand(2, -1, -1, -1) for c, (h, w) in
           zip([32, 64, 160, 256], sizes)]
    feats = SiameseFeatures(img=img, ref=ref)
    with torch.no_grad():
        assert (head(feats) -
                head._forward(feats)[0]).abs().max() <= 1e-5

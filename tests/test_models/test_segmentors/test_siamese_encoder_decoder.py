import copy

import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.optim import build_optim_wrapper
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

MIT = dict(type='MixVisionTransformer', in_channels=3, embed_dims=8,
           num_stages=4, num_layers=[1, 1, 1, 1], num_heads=[1, 1, 1, 1],
           patch_sizes=[7, 3, 3, 3], sr_ratios=[8, 4, 2, 1],
           out_indices=(0, 1, 2, 3), mlp_ratio=2)
HEAD = dict(type='SegformerHead', in_channels=[8, 8, 8, 8],
            in_index=[0, 1, 2, 3], channels=8, num_classes=2,
            norm_cfg=dict(type='BN', requires_grad=True), align_corners=False,
            loss_decode=dict(type='CrossEntropyLoss', loss_weight=1.0))
RESNET = dict(type='ResNetV1c', depth=18, in_channels=3, num_stages=4,
              out_indices=(0, 1, 2, 3), base_channels=8, stem_channels=8,
              norm_cfg=dict(type='BN', requires_grad=True))


def build(**kwargs):
    cfg = dict(type='SiameseEncoderDecoder', backbone=MIT, decode_head=HEAD,
               data_preprocessor=dict(type='PairedSegDataPreProcessor'),
               train_cfg=dict(), test_cfg=dict(mode='whole'))
    cfg.update(kwargs)
    return MODELS.build(ConfigDict(copy.deepcopy(cfg)))


def samples(n=2, h=32, w=32):
    out = []
    for _ in range(n):
        s = SegDataSample()
        s.gt_sem_seg = PixelData(data=torch.randint(0, 2, (1, h, w)))
        s.set_metainfo(dict(img_shape=(h, w), ori_shape=(h, w),
                            pad_shape=(h, w), padding_size=[0, 0, 0, 0]))
        out.append(s)
    return out


def test_shared_backbone_diff_fusion_loss_and_predict():
    torch.manual_seed(0)
    model = build(fusion='diff')
    x = torch.randn(2, 6, 32, 32)
    losses = model.loss(x, samples())
    assert set(losses) == {'decode.loss_ce', 'decode.acc_seg'}
    model.eval()
    preds = model.predict(x, samples())
    assert preds[0].pred_sem_seg.data.shape == (1, 32, 32)
    assert preds[0].seg_logits.data.shape == (2, 32, 32)


def test_identical_pair_gives_zero_diff_features():
    model = build(fusion='diff').eval()
    img = torch.randn(1, 3, 32, 32)
    feats = model.extract_feat(torch.cat([img, img], 1))
    assert len(feats) == 4
    assert all(f.abs().max() == 0 for f in feats)


def test_shared_weights_match_separate_forward():
    model = build(fusion='pair').eval()
    x = torch.randn(2, 6, 32, 32)
    pair = model.extract_feat(x)
    ref_alone = model.backbone(x[:, 3:])
    for a, b in zip(pair.ref, ref_alone):
        assert torch.allclose(a, b, atol=1e-5)


def test_concat_and_img_only_fusions():
    head = dict(HEAD, in_channels=[16, 16, 16, 16])
    model = build(fusion='concat', decode_head=head).eval()
    feats = model.extract_feat(torch.randn(1, 6, 32, 32))
    assert feats[0].shape[1] == 16
    model = build(fusion='img_only').eval()
    x = torch.randn(1, 6, 32, 32)
    y = x.clone()
    y[:, 3:] = torch.randn(1, 3, 32, 32)
    meta = [samples(1)[0].metainfo]
    assert torch.equal(model.encode_decode(x, meta),
                       model.encode_decode(y, meta))


def test_frozen_reference_branch_never_changes():
    torch.manual_seed(0)
    model = build(fusion='diff', backbone=RESNET,
                  ref_backbone=dict(RESNET, frozen=True),
                  decode_head=dict(HEAD, type='FCNHead', in_channels=8,
                                   in_index=0, num_convs=1,
                                   concat_input=False))
    model.train()
    assert not model.ref_backbone.training
    assert all(not p.requires_grad for p in model.ref_backbone.parameters())
    ref_before = copy.deepcopy(model.ref_backbone.state_dict())
    img_before = copy.deepcopy(model.backbone.state_dict())
    wrapper = build_optim_wrapper(
        model, dict(type='OptimWrapper',
                    constructor='SiameseOptimWrapperConstructor',
                    optimizer=dict(type='SGD', lr=0.5, momentum=0.9)))
    frozen_ids = {id(p) for p in model.ref_backbone.parameters()}
    listed = {id(p) for g in wrapper.optimizer.param_groups
              for p in g['params']}
    assert listed and not frozen_ids & listed
    for _ in range(2):
        losses = model.loss(torch.randn(2, 6, 32, 32), samples())
        wrapper.update_params(losses['decode.loss_ce'])
    # parameters and BN running statistics of the frozen branch: bit-identical
    for key, value in model.ref_backbone.state_dict().items():
        assert torch.equal(value, ref_before[key]), key
    assert not wrapper.optimizer.state.keys() & set(
        model.ref_backbone.parameters())
    # the trainable branch did learn and update its BN statistics
    changed = [k for k, v in model.backbone.state_dict().items()
               if not torch.equal(v, img_before[k])]
    assert any('running_mean' in k for k in changed)
    assert any(k.endswith('weight') for k in changed)


def test_optimizer_rejects_keys_for_frozen_branch():
    model = build(backbone=RESNET, ref_backbone=dict(RESNET, frozen=True),
                  fusion='pair',
                  decode_head=dict(HEAD, type='FCNHead', in_channels=8,
                                   in_index=0, num_convs=1))
    with pytest.raises(ValueError, match=r"custom_keys\['ref_backbone'\]"):
        build_optim_wrapper(
            model, dict(type='OptimWrapper',
                        constructor='SiameseOptimWrapperConstructor',
                        optimizer=dict(type='SGD', lr=0.1),
                        paramwise_cfg=dict(custom_keys={
                            'ref_backbone': dict(lr_mult=0.1)})))


def test_slide_inference_crops_both_halves_identically():
    model = build(fusion='diff',
                  test_cfg=dict(mode='slide', crop_size=(32, 32),
                                stride=(16, 16))).eval()
    img = torch.randn(1, 3, 48, 48)
    x = torch.cat([img, img], 1)
    meta = [dict(img_shape=(48, 48), ori_shape=(48, 48),
                 pad_shape=(48, 48), padding_size=[0, 0, 0, 0])]
    logits = model.inference(x, meta)
    assert logits.shape == (1, 2, 48, 48)
    # identical halves -> zero features in every window -> constant logits
    flat = logits.flatten(2)
    assert torch.allclose(flat, flat[..., :1].expand_as(flat), atol=1e-5)


def test_input_errors():
    model = build()
    with pytest.raises(ValueError, match=r'\(N, 6, H, W\)'):
        model.extract_feat(torch.randn(1, 3, 32, 32))
    with pytest.raises(ValueError, match='fusion must be one of'):
        build(fusion='sum')


CAD_HEAD = dict(type='CADHead', in_channels=[8, 8, 8, 8],
                in_index=[0, 1, 2, 3], channels=8, num_classes=3,
                norm_cfg=dict(type='BN', requires_grad=True))


@pytest.mark.parametrize('variant', [
    dict(fusion='pair', decode_head=CAD_HEAD),
    dict(fusion='diff'),
    dict(fusion='concat', decode_head=dict(HEAD, in_channels=[16] * 4)),
    dict(fusion='img_only'),
    dict(fusion='diff', ref_backbone=dict(MIT, frozen=True)),
    dict(fusion='diff', neck=dict(type='MultiLevelNeck', in_channels=[8] * 4,
                                  out_channels=8, scales=[1, 1, 1, 1])),
])
def test_reference_cache_equals_paired_path(variant):
    # one reference encoded once serves a batch of inspected images; the
    # logits equal the paired (uncached) path to 1e-5
    torch.manual_seed(0)
    model = build(**variant).eval()
    img = torch.randn(3, 3, 32, 32)
    ref = torch.randn(1, 3, 32, 32)
    paired = torch.cat([img, ref.expand(3, -1, -1, -1)], dim=1)
    with torch.no_grad():
        expected = model.predict(paired, samples(3))
        cache = model.encode_reference(ref)
        from_img = model.predict(img, samples(3), ref_feats=cache)
        from_pair = model.predict(paired, samples(3), ref_feats=cache)
        # paired inputs as the preprocessor returns them: the reference
        # half of the first sample
        cache6 = model.encode_reference(paired[:1])
        logits6 = model.encode_decode(paired, [samples(1)[0].metainfo] * 3,
                                      ref_feats=cache6)
    for got in (from_img, from_pair):
        for a, b in zip(got, expected):
            diff = (a.seg_logits.data - b.seg_logits.data).abs().max()
            assert diff <= 1e-5
            assert torch.equal(a.pred_sem_seg.data, b.pred_sem_seg.data)
    expected_logits = torch.stack([s.seg_logits.data for s in expected])
    assert (logits6 - expected_logits).abs().max() <= 1e-5
    if variant['fusion'] == 'img_only':
        assert cache.feats == []
    else:
        assert cache.batch_size == 1 and cache.input_shape == (32, 32)


def test_reference_cache_one_reference_per_image_and_errors():
    torch.manual_seed(0)
    model = build(fusion='pair', decode_head=CAD_HEAD).eval()
    img, ref = torch.randn(2, 3, 32, 32), torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        expected = model.predict(torch.cat([img, ref], 1))
        got = model.predict(img, ref_feats=model.encode_reference(ref))
        for a, b in zip(got, expected):
            assert (a.seg_logits.data -
                    b.seg_logits.data).abs().max() <= 1e-5
        two = model.encode_reference(ref)
        with pytest.raises(ValueError, match='2 references'):
            model.predict(torch.randn(3, 3, 32, 32), ref_feats=two)
        with pytest.raises(ValueError, match='encoded at'):
            model.predict(torch.randn(2, 3, 64, 32), ref_feats=two)
        with pytest.raises(ValueError, match='expects paired inputs'):
            model.encode_reference(torch.randn(1, 4, 32, 32))
        slide = build(fusion='diff', test_cfg=dict(
            mode='slide', crop_size=(16, 16), stride=(8, 8))).eval()
        with pytest.raises(ValueError, match='mode="whole"'):
            slide.predict(img, ref_feats=slide.encode_reference(ref))


EARLY = dict(fusion='early', backbone=dict(RESNET, in_channels=6),
             decode_head=dict(HEAD, in_channels=[8, 16, 32, 64]))


def test_early_fusion_backbone_sees_the_whole_pair():
    torch.manual_seed(0)
    model = build(**EARLY).eval()
    assert not model.caches_reference
    x = torch.randn(2, 6, 32, 32)
    with torch.no_grad():
        feats = model.extract_feat(x)
        direct = model.backbone(x)
        # the reference changes the features (it is an input, not ignored)
        y = x.clone()
        y[:, 3:] = torch.randn(2, 3, 32, 32)
        other = model.extract_feat(y)
    assert [f.shape[1] for f in feats] == [8, 16, 32, 64]
    for a, b in zip(feats, direct):
        assert torch.equal(a, b)
    assert (feats[0] - other[0]).abs().max() > 1e-3
    # a swapped pair is another input (sign kept, unlike |f_img - f_ref|)
    swapped = torch.cat([x[:, 3:], x[:, :3]], 1)
    with torch.no_grad():
        assert (model.extract_feat(swapped)[0] - feats[0]).abs().max() > 1e-3
    model.train()
    losses = model.loss(x, samples())
    assert losses['decode.loss_ce'].requires_grad
    losses['decode.loss_ce'].backward()
    assert model.backbone.stem[0].weight.grad.shape[1] == 6


def test_early_fusion_refuses_a_reference_cache_and_single_images():
    model = build(**EARLY).eval()
    with pytest.raises(ValueError, match='cannot be cached'):
        model.encode_reference(torch.randn(1, 3, 32, 32))
    with pytest.raises(ValueError, match=r'\(N, 6, H, W\)'):
        model.extract_feat(torch.randn(1, 3, 32, 32))


def test_early_fusion_refuses_cached_reference_features():
    model = build(**EARLY).eval()
    cache = build(fusion='diff').eval().encode_reference(
        torch.randn(1, 3, 32, 32))
    with pytest.raises(ValueError, match='cannot be cached'):
        model.extract_feat(torch.randn(1, 6, 32, 32), ref_feats=cache)

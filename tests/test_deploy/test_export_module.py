import torch
from mmengine.config import ConfigDict
from mmseg.registry import MODELS

from mmdefect.deploy import DefectExportModule
from mmdefect.evaluation.functional.scores import (defect_probability,
                                                   image_score)
from mmdefect.evaluation.score_rule import ScoreRule

MODEL = dict(
    type='SiameseEncoderDecoder', fusion='pair',
    data_preprocessor=dict(type='PairedSegDataPreProcessor',
                           mean=[100., 110., 120.], std=[50., 55., 60.],
                           bgr_to_rgb=True),
    backbone=dict(type='MixVisionTransformer', in_channels=3, embed_dims=8,
                  num_stages=4, num_layers=[1, 1, 1, 1],
                  num_heads=[1, 1, 1, 1], patch_sizes=[7, 3, 3, 3],
                  sr_ratios=[8, 4, 2, 1], out_indices=(0, 1, 2, 3),
                  mlp_ratio=2),
    decode_head=dict(type='CADHead', in_channels=[8] * 4,
                     in_index=[0, 1, 2, 3], channels=8, num_classes=3,
                     norm_cfg=dict(type='BN')),
    test_cfg=dict(mode='whole'))


def _module(rule=ScoreRule(), **kwargs):
    torch.manual_seed(0)
    model = MODELS.build(ConfigDict(MODEL)).eval()
    return DefectExportModule(model, rule, paired=True, **kwargs).eval()


def test_preprocessing_and_scores_match_the_model_path():
    # BGR uint8 NHWC -> RGB, (x - mean) / std, the model's logits at the
    # input size, the shared defect probability and image score
    module = _module(ScoreRule(image_score='topk_mean', topk=7),
                     static_hw=(64, 48))
    img = torch.randint(0, 256, (2, 64, 48, 3), dtype=torch.uint8)
    ref = torch.randint(0, 256, (2, 64, 48, 3), dtype=torch.uint8)

    def norm(x):
        x = x.permute(0, 3, 1, 2).float()[:, [2, 1, 0]]
        mean = torch.tensor([100., 110., 120.]).view(1, 3, 1, 1)
        return (x - mean) / torch.tensor([50., 55., 60.]).view(1, 3, 1, 1)

    meta = dict(img_shape=(64, 48), ori_shape=(64, 48), pad_shape=(64, 48))
    with torch.no_grad():
        scores, img_scores, pred = module(img, ref)
        logits = module.model.encode_decode(
            torch.cat([norm(img), norm(ref)], 1), [meta] * 2)
    expected = defect_probability(logits, dim=1)
    assert torch.allclose(scores, expected, atol=1e-6)
    assert torch.equal(pred, logits.argmax(1).to(torch.uint8))
    for i in range(2):
        assert abs(img_scores[i].item() -
                   image_score(expected[i], 'topk_mean', 7)) < 1e-6
    # the dynamic-size rule (sort + cumulative sum) gives the same score
    dynamic = _module(ScoreRule(image_score='topk_mean', topk=7))
    with torch.no_grad():
        assert torch.allclose(dynamic(img, ref)[1], img_scores, atol=1e-6)


def test_reference_cache_equals_paired_path():
    module = _module()
    img = torch.randint(0, 256, (3, 32, 32, 3), dtype=torch.uint8)
    ref = torch.randint(0, 256, (1, 32, 32, 3), dtype=torch.uint8)
    with torch.no_grad():
        paired = module(img, ref.expand(3, -1, -1, -1))
        cached = module(img, ref_feats=module.encode_reference(ref))
    for a, b in zip(paired, cached):
        assert (a.float() - b.float()).abs().max() <= 1e-5

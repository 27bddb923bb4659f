import os.path as osp
import runpy

import torch
from mmengine.config import Config
from mmseg.registry import MODELS

from mmdefect.testing import REPO_ROOT

# the tool's function, loaded as a script (tests never import tools/)
analyse = runpy.run_path(
    osp.join(REPO_ROOT, 'tools/analysis_tools/get_flops.py'))['analyse']


def build(config, **model_overrides):
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    cfg.model.backbone.init_cfg = None
    cfg.model.decode_head.norm_cfg = dict(type='BN', requires_grad=True)
    cfg.model.update(model_overrides)
    return MODELS.build(cfg.model).eval()


def test_cadnet_and_segformer_counts():
    with torch.no_grad():
        cad = analyse(
            build('configs/cadnet/cadnet_mit-b0_1xb8-30ep_synlcd-512x512.py'),
            64, 64)
        seg = analyse(
            build('configs/segformer/'
                  'segformer_mit-b0_1xb8-30ep_synlcd-512x512.py'), 64, 64)
    # the paper's 3.90 M and 3.72 M (Table 7), from the analytic count in
    # cadnet_original.md: MiT-B0 3,319,392 + SegFormer head 396,547 (+ CAD
    # block 180,928)
    assert cad['params'] == 3_896_867
    assert seg['params'] == 3_715_939
    assert cad['input_shape'] == (1, 6, 64, 64)
    assert seg['input_shape'] == (1, 3, 64, 64)
    for stats in (cad, seg):
        assert 0 < stats['paper'] < stats['full']
        assert sum(stats['by_operator'].values()) == stats['full']
        # what the paper's counter misses is the attention inside
        # nn.MultiheadAttention: batched matrix products and projections
        missing = stats['full'] - stats['paper']
        assert missing <= stats['by_operator']['bmm'] + \
            stats['by_operator']['linear']
    # the encoder runs on both images: more than twice SegFormer's encoder
    assert cad['by_operator']['bmm'] == 2 * seg['by_operator']['bmm']

"""Export -> ONNX Runtime parity per model family, metadata, refusals."""
import copy
import os
import os.path as osp
import runpy
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmengine.model import revert_sync_batchnorm
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from mmdefect.deploy import ExportError, OrtRunner, export_model, load_model
from mmdefect.evaluation.functional.scores import image_score, score_map
from mmdefect.evaluation.score_rule import ScoreRule
from mmdefect.testing import make_toy_paired_dataset
from mmdefect.testing.paths import REPO_ROOT
from mmdefect.testing.tool_runner import single_thread

pytest.importorskip('onnx')
pytest.importorskip('onnxruntime')

MEAN_STD = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
                bgr_to_rgb=True)
MIT = dict(type='MixVisionTransformer', in_channels=3, embed_dims=8,
           num_stages=4, num_layers=[1, 1, 1, 1], num_heads=[1, 1, 2, 2],
           patch_sizes=[7, 3, 3, 3], sr_ratios=[8, 4, 2, 1],
           out_indices=(0, 1, 2, 3), mlp_ratio=2)
SEG_HEAD = dict(type='SegformerHead', in_channels=[8, 8, 16, 16],
                in_index=[0, 1, 2, 3], channels=8, num_classes=3,
                norm_cfg=dict(type='BN'), align_corners=False)


def _paired(fusion, head):
    return dict(type='SiameseEncoderDecoder', fusion=fusion,
                data_preprocessor=dict(type='PairedSegDataPreProcessor',
                                       **MEAN_STD),
                backbone=MIT, decode_head=head, test_cfg=dict(mode='whole'))


# stage widths of MIT: embed_dims * num_heads = 8, 8, 16, 16
FAMILIES = {
    'cadnet': _paired('pair', dict(
        type='CADHead', in_channels=[8, 8, 16, 16], in_index=[0, 1, 2, 3],
        channels=8, num_classes=3, norm_cfg=dict(type='BN'))),
    'siamese_diff': _paired('diff', dict(SEG_HEAD,
                                         in_channels=[8, 8, 16, 16])),
    'siamese_concat': _paired('concat', dict(
        SEG_HEAD, in_channels=[16, 16, 32, 32])),
    'siamese_early': dict(
        _paired('early', dict(SEG_HEAD, in_channels=[8, 16, 32, 64])),
        backbone=dict(type='ResNetV1c', depth=18, in_channels=6,
                      num_stages=4, out_indices=(0, 1, 2, 3),
                      base_channels=8, stem_channels=8,
                      norm_cfg=dict(type='BN'))),
    'single_image': dict(
        type='EncoderDecoder',
        data_preprocessor=dict(type='SegDataPreProcessor', **MEAN_STD),
        backbone=MIT, decode_head=dict(SEG_HEAD, in_channels=[8, 8, 16, 16]),
        test_cfg=dict(mode='whole')),
}


def _build(family):
    torch.manual_seed(0)
    cfg = copy.deepcopy(FAMILIES[family])
    model = revert_sync_batchnorm(MODELS.build(ConfigDict(cfg))).eval()
    for layer in model.modules():  # non-trivial BN statistics
        if isinstance(layer, torch.nn.BatchNorm2d):
            layer.running_mean.uniform_(-0.5, 0.5)
            layer.running_var.uniform_(0.5, 1.5)
    return model


def _eager(model, imgs, refs, paired=True):
    """The PyTorch path: pre-processor, predict, the shared score layer."""
    inputs, samples = [], []
    for img, ref in zip(imgs, refs):
        tensor = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0,
                                                                     1)))
        if paired:
            tensor = torch.cat([
                tensor,
                torch.from_numpy(np.ascontiguousarray(ref.transpose(2, 0, 1)))
            ])
        inputs.append(tensor)
        sample = SegDataSample()
        sample.set_metainfo(
            dict(img_shape=img.shape[:2], ori_shape=img.shape[:2]))
        samples.append(sample)
    with torch.no_grad():
        return model.test_step(dict(inputs=inputs, data_samples=samples))


def _generated_pairs(tmp_path, size, num=2):
    root = str(tmp_path / 'pairs')
    make_toy_paired_dataset(root, num_train=0, num_test=num, size=size,
                            seed=3)
    names = sorted(os.listdir(osp.join(root, 'img_dir', 'test')))[:num]
    imgs = [cv2.imread(osp.join(root, 'img_dir', 'test', n)) for n in names]
    refs = [cv2.imread(osp.join(root, 'ref_dir', 'test', n)) for n in names]
    return imgs, refs


def _assert_parity(preds, outputs, rule, threshold=0.5):
    for i, pred in enumerate(preds):
        expected = score_map(pred)
        got = outputs['score_map'][i]
        assert got.shape == expected.shape
        assert np.abs(got - expected).max() <= 1e-4
        same = (got >= threshold) == (expected >= threshold)
        assert same.mean() >= 0.9999
        eager_score = rule.image_score_of(expected)
        assert abs(outputs['image_score'][i] - eager_score) <= 1e-4
        assert (outputs['image_score'][i] >= threshold) == (eager_score >=
                                                            threshold)
        if 'pred_mask' in outputs:
            labels = pred.pred_sem_seg.data[0].numpy()
            assert (outputs['pred_mask'][i] == labels).mean() >= 0.9999


@pytest.mark.parametrize('family', sorted(FAMILIES))
def test_parity_random_and_generated_pairs(family, tmp_path):
    model = _build(family)
    rule = ScoreRule(image_score='topk_mean', topk=0.05)
    out = str(tmp_path / f'{family}.onnx')
    with single_thread():
        info = export_model(model, out, shape=(64, 48), score_rule=rule,
                            dataset_meta=dict(classes=('bg', 'a', 'b')))
    assert info['metadata']['model_family'] == family
    assert info['metadata']['paired'] == (family != 'single_image')
    assert info['metadata']['batch_size'] is None  # dynamic batch
    runner = OrtRunner(out, num_threads=1)
    assert runner.classes == ('bg', 'a', 'b')
    rng = np.random.default_rng(0)
    random_pairs = [
        [rng.integers(0, 256, (64, 48, 3), dtype=np.uint8) for _ in range(3)]
        for _ in range(2)
    ]
    generated = _generated_pairs(tmp_path, 64)
    generated = [[im[:, :48] for im in side] for side in generated]
    paired = family != 'single_image'
    for imgs, refs in (random_pairs, generated):
        with single_thread():
            preds = _eager(model, imgs, refs, paired=paired)
        outputs = runner.run(np.stack(imgs), np.stack(refs))
        _assert_parity(preds, outputs, rule)
    if paired:  # the reference matters
        swapped = runner.run(random_pairs[0][0], random_pairs[1][1])
        same = runner.run(random_pairs[0][0], random_pairs[1][0])
        assert np.abs(swapped['score_map'] - same['score_map']).max() > 0


def test_dynamic_shape_parity_cadnet(tmp_path):
    model = _build('cadnet')
    out = str(tmp_path / 'cad_dyn.onnx')
    with single_thread():
        info = export_model(model, out, shape=(64, 64), dynamic=True,
                            input_dtype='float32')
    assert info['metadata']['input_shape'] is None
    assert set(info['max_abs_diff']) == {'1x64x64', '2x64x64', '1x96x32'}
    runner = OrtRunner(out, num_threads=1)
    imgs, refs = _generated_pairs(tmp_path, 96)
    imgs = [im[:, :80].astype(np.float32) for im in imgs]
    refs = [im[:, :80].astype(np.float32) for im in refs]
    with single_thread():
        preds = _eager(model, [i.astype(np.uint8) for i in imgs],
                       [r.astype(np.uint8) for r in refs])
    _assert_parity(preds, runner.run(np.stack(imgs), np.stack(refs)),
                   ScoreRule())


def test_cat_anomaly_map_pass_through(tmp_path):
    # CAT (anomaly head): the graph outputs its smoothed anomaly map as the
    # score map; Swin bakes the batch into a reshape, so the batch is fixed
    # at 1, and dynamic height/width are refused with the reason
    config = osp.join(REPO_ROOT,
                      'configs/cat/cat_swin-nano_1xb4-20i_toy-64x64.py')
    if not osp.exists(config):
        pytest.skip('no CAT config')
    torch.manual_seed(0)
    with single_thread():
        model, _, _ = load_model(config, None)
        out = str(tmp_path / 'cat.onnx')
        info = export_model(model, out, shape=(64, 64))
    meta = info['metadata']
    assert meta['model_family'] == 'anomaly'
    assert meta['outputs'] == ['score_map', 'image_score']
    assert meta['batch_size'] == 1
    runner = OrtRunner(out, num_threads=1)
    imgs, refs = _generated_pairs(tmp_path, 64, num=1)
    with single_thread():
        preds = _eager(model, imgs, refs)
    assert 'anomaly_map' in preds[0]
    _assert_parity(preds, runner.run(imgs[0], refs[0]), ScoreRule())
    with single_thread(), pytest.raises(ExportError, match='other sizes'):
        export_model(model, str(tmp_path / 'cat_dyn.onnx'), shape=(64, 64),
                     dynamic=True)
    assert not osp.exists(tmp_path / 'cat_dyn.onnx')


def test_refusals_leave_no_file(tmp_path):
    model = _build('siamese_diff')
    out = tmp_path / 'm.onnx'
    out.write_bytes(b'user data')
    with pytest.raises(FileExistsError, match='--overwrite'):
        export_model(model, str(out), shape=(32, 32))
    assert out.read_bytes() == b'user data'
    slide = _build('siamese_diff')
    slide.test_cfg = ConfigDict(mode='slide', crop_size=(32, 32),
                                stride=(16, 16))
    with pytest.raises(ExportError, match='whole-image'):
        export_model(slide, str(tmp_path / 's.onnx'), shape=(32, 32))
    padded = _build('siamese_diff')
    padded.data_preprocessor.test_cfg = dict(size=(64, 64))
    with pytest.raises(ExportError, match='fixed size'):
        export_model(padded, str(tmp_path / 'p.onnx'), shape=(32, 32),
                     dynamic=True)
    classical = MODELS.build(dict(type='ClassicalDiffSegmentor'))
    with pytest.raises(ExportError, match='cannot be exported'):
        export_model(classical, str(tmp_path / 'c.onnx'), shape=(32, 32))
    assert sorted(os.listdir(tmp_path)) == ['m.onnx']


def _run_tool(args, capsys, expect_ok=True):
    """``tools/deployment/pytorch2onnx.py ARGS`` in this process (runpy)."""
    argv = sys.argv
    sys.argv = ['pytorch2onnx.py'] + list(args)
    try:
        with single_thread(), pytest.raises(SystemExit) as status:
            runpy.run_path(
                osp.join(REPO_ROOT, 'tools/deployment/pytorch2onnx.py'),
                run_name='__main__')
    finally:
        sys.argv = argv
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert (status.value.code == 0) == expect_ok, text
    return text


def test_tool_metadata_round_trip_and_threshold(tmp_path, capsys):
    # a checkpoint with a calibrated threshold: value, record and class
    # names travel in the ONNX metadata; an existing OUT is kept
    import onnx
    model = _build('siamese_diff')
    rule = ScoreRule(image_score='topk_mean', topk=10)
    info = dict(value=0.375, level='image', method='f1', q=None,
                score_rule=rule.to_dict(), split='val', num_images=4)
    ckpt = str(tmp_path / 'calibrated.pth')
    torch.save(
        dict(state_dict=model.state_dict(),
             meta=dict(defect_threshold=0.375, defect_threshold_info=info,
                       dataset_meta=dict(classes=['ok', 'scratch', 'dent'],
                                         palette=[[0, 0, 0], [255, 0, 0],
                                                  [0, 255, 0]]))), ckpt)
    config = str(tmp_path / 'cfg.py')
    Config(dict(model=FAMILIES['siamese_diff'])).dump(config)
    out = str(tmp_path / 'model.onnx')
    text = _run_tool([config, ckpt, out, '--shape', '32', '32'], capsys)
    assert 'siamese_diff' in text and 'threshold 0.375' in text
    props = {p.key: p.value for p in onnx.load(out).metadata_props}
    runner = OrtRunner(out, num_threads=1)
    assert runner.threshold == 0.375
    assert runner.meta['defect_threshold_info'] == info
    assert runner.score_rule == rule  # taken from the threshold record
    assert runner.classes == ('ok', 'scratch', 'dent')
    assert runner.meta['source_checkpoint'] == ckpt
    assert set(props) >= {'classes', 'score_rule', 'defect_threshold'}
    # the graph computes the recorded rule's image score
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    ref = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    result = runner.run(img, ref)
    assert abs(result['image_score'][0] -
               image_score(result['score_map'][0], 'topk_mean', 10)) < 1e-6
    before = os.path.getmtime(out)
    text = _run_tool([config, ckpt, out, '--shape', '32', '32'],
                     capsys,
                     expect_ok=False)
    assert '--overwrite' in text and os.path.getmtime(out) == before
    # a rule that contradicts the calibrated one is refused
    text = _run_tool([
        config, ckpt,
        str(tmp_path / 'other.onnx'), '--shape', '32', '32',
        '--image-score', 'max'
    ],
                     capsys,
                     expect_ok=False)
    assert 'score rule' in text
    assert not osp.exists(tmp_path / 'other.onnx')


def test_exported_file_gets_the_umask_mode(tmp_path):
    # mkstemp creates the temporary file with 0600; the exported model must
    # be readable by the group the umask allows, like other outputs
    model = _build('siamese_diff')
    out = str(tmp_path / 'mode.onnx')
    old = os.umask(0o022)
    try:
        with single_thread():
            export_model(model, out, shape=(32, 32))
    finally:
        os.umask(old)
    assert os.stat(out).st_mode & 0o777 == 0o644

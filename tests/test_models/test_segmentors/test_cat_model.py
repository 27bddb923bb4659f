"""CAT on SiameseEncoderDecoder: Swin + MSF-FPN student, frozen teacher."""
import copy

import torch
from mmengine.config import Config, ConfigDict
from mmengine.optim import build_optim_wrapper
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

from mmdefect.testing import REPO_ROOT

CONFIG = f'{REPO_ROOT}/configs/cat/cat_swin-nano_1xb4-20i_toy-64x64.py'


def build_cat(**head):
    cfg = Config.fromfile(CONFIG)
    model_cfg = copy.deepcopy(cfg.model)
    for key, value in head.items():  # replace, do not merge
        model_cfg.decode_head[key] = value
    return MODELS.build(ConfigDict(model_cfg)), cfg


def samples(n=2, size=64, pad=(0, 0, 0, 0), ori=None, flip=False):
    out = []
    for _ in range(n):
        s = SegDataSample()
        lab = torch.zeros(1, size, size, dtype=torch.long)
        lab[0, 16:40, 20:44] = 1
        s.gt_sem_seg = PixelData(data=lab)
        meta = dict(img_shape=(size - pad[2] - pad[3], size - pad[0] -
                               pad[1]), pad_shape=(size, size),
                    ori_shape=ori or (size, size), padding_size=list(pad))
        if flip:
            meta.update(flip=True, flip_direction='horizontal')
        s.set_metainfo(meta)
        out.append(s)
    return out


def test_structure_student_neck_and_frozen_teacher():
    model, _ = build_cat()
    assert type(model.backbone).__name__ == 'SwinTransformer'
    assert type(model.neck).__name__ == 'MSFFPN'
    assert type(model.ref_backbone).__name__ == 'ResNet'
    assert model.ref_frozen and model.fusion == 'pair'
    assert not any(p.requires_grad for p in model.ref_backbone.parameters())
    x = torch.randn(2, 6, 64, 64)
    pair = model.extract_feat(x)
    # the neck ran on the student only; both sides 32/64/128 at 4/8/16
    assert [f.shape[1:] for f in pair.img] == [f.shape[1:] for f in pair.ref]
    assert [tuple(f.shape[1:]) for f in pair.ref] == [(32, 16, 16),
                                                      (64, 8, 8),
                                                      (128, 4, 4)]


def test_teacher_frozen_through_optimizer_steps():
    torch.manual_seed(0)
    model, cfg = build_cat()
    model.init_weights()
    teacher = copy.deepcopy(model.ref_backbone.state_dict())
    student = copy.deepcopy(model.backbone.state_dict())
    assert any('running_mean' in k for k in teacher)
    optim = build_optim_wrapper(model, ConfigDict(cfg.optim_wrapper))
    model.train()
    assert not model.ref_backbone.training
    for _ in range(3):
        data = model.data_preprocessor(
            dict(inputs=list(torch.rand(2, 6, 64, 64) * 255),
                 data_samples=samples()), True)
        losses = model.loss(data['inputs'], data['data_samples'])
        loss, _ = model.parse_losses(losses)
        optim.update_params(loss)
    for key, value in model.ref_backbone.state_dict().items():
        assert torch.equal(value, teacher[key]), key
    assert any(not torch.equal(v, student[k])
               for k, v in model.backbone.state_dict().items())


def test_predict_writes_an_anomaly_map_at_the_input_size():
    model, _ = build_cat()
    model.eval()
    x = torch.randn(2, 6, 64, 64)
    with torch.no_grad():
        out = model.predict(x, samples())
    amap = out[0].anomaly_map.data
    assert amap.shape == (1, 64, 64) and amap.dtype == torch.float32
    assert 'seg_logits' not in out[0]
    pred = out[0].pred_sem_seg.data
    assert pred.dtype == torch.long
    torch.testing.assert_close(pred, (amap >= 0.5).long())
    # test_cfg.threshold decides pred_sem_seg
    model.test_cfg['threshold'] = 0.0
    with torch.no_grad():
        out = model.predict(x, samples())
    assert out[0].pred_sem_seg.data.all()


def test_padding_crop_flip_and_resize_follow_mmseg():
    model, _ = build_cat()
    model.eval()
    x = torch.randn(1, 6, 64, 64)
    with torch.no_grad():
        full = model.inference(x, [samples(1)[0].metainfo])
        out = model.predict(x, samples(1, pad=(0, 8, 0, 16), ori=(96, 112),
                                       flip=True))
    amap = out[0].anomaly_map.data
    assert amap.shape == (1, 96, 112)
    expected = torch.nn.functional.interpolate(
        full[:, :, :48, :56].flip(3), size=(96, 112), mode='bilinear',
        align_corners=False)[0]
    torch.testing.assert_close(amap, expected)


def test_tensor_mode_and_no_samples():
    model, _ = build_cat()
    model.eval()
    x = torch.randn(1, 6, 64, 64)
    with torch.no_grad():
        assert model(x, mode='tensor').shape == (1, 1, 16, 16)
        out = model.postprocess_result(torch.rand(1, 1, 64, 64))
    assert out[0].anomaly_map.data.shape == (1, 64, 64)


def test_reconstruction_baseline_trains_without_droplets():
    model, _ = build_cat(loss_decode=dict(type='FeatureReconstructionLoss'))
    s = samples()
    for sample in s:
        sample.gt_sem_seg.data.zero_()
    losses = model.loss(torch.randn(2, 6, 64, 64), s)
    assert set(losses) == {'decode.loss_rec'}
    assert losses['decode.loss_rec'].requires_grad


def test_map_follows_a_label_transformed_with_the_image():
    """Test pipelines that resize and pad the label with the image (the
    anomaly data sets): the map stays in the label's frame."""
    model, _ = build_cat()
    model.eval()
    x = torch.randn(1, 6, 64, 64)
    sample = samples(1, ori=(150, 100))[0]  # label 64x64 = input frame
    sample.set_metainfo(dict(scale_factor=(64 / 150, 64 / 150)))
    with torch.no_grad():
        full = model.inference(x, [sample.metainfo])
        out = model.predict(x, [sample])
    torch.testing.assert_close(out[0].anomaly_map.data, full[0])


def test_pipeline_padding_is_cropped_before_going_back_to_the_image():
    """Inference (no label): a 150x100 image resized to 64x43 and padded to
    64x64 by the pipeline comes back as 150x100 from the 64x43 content."""
    model, _ = build_cat()
    model.eval()
    x = torch.randn(1, 6, 64, 64)
    sample = SegDataSample()
    sample.set_metainfo(dict(img_shape=(64, 64), pad_shape=(64, 64),
                             ori_shape=(150, 100),
                             scale_factor=(43 / 100, 64 / 150)))
    with torch.no_grad():
        full = model.inference(x, [sample.metainfo])
        out = model.predict(x, [sample])
    expected = torch.nn.functional.interpolate(
        full[:, :, :64, :43], size=(150, 100), mode='bilinear',
        align_corners=False)[0]
    torch.testing.assert_close(out[0].anomaly_map.data, expected)


def test_teacher_initialised_from_a_checkpoint_stays_frozen(tmp_path):
    """A teacher trained elsewhere (e.g. self-supervised on the defect-free
    images) is plugged in through ``ref_backbone.init_cfg``."""
    source, _ = build_cat()
    torch.manual_seed(1)
    for p in source.ref_backbone.parameters():
        p.data.normal_()
    ckpt = tmp_path / 'teacher.pth'
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in
                               source.ref_backbone.state_dict().items()}},
               ckpt)
    model_cfg = Config.fromfile(CONFIG).model
    model_cfg.ref_backbone.init_cfg = dict(
        type='Pretrained', checkpoint=str(ckpt), prefix='backbone.')
    model = MODELS.build(ConfigDict(model_cfg))
    model.init_weights()
    for key, value in source.ref_backbone.state_dict().items():
        assert torch.equal(model.ref_backbone.state_dict()[key], value), key
    assert not any(p.requires_grad for p in model.ref_backbone.parameters())

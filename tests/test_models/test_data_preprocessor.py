import pytest
import torch
from mmseg.structures import SegDataSample
from mmengine.structures import PixelData

from mmdefect.models import PairedSegDataPreProcessor


def batch(h=5, w=7):
    img = torch.zeros(6, h, w, dtype=torch.uint8)
    for c in range(6):
        img[c] = 10 * (c + 1)
    sample = SegDataSample()
    sample.gt_sem_seg = PixelData(data=torch.ones(1, h, w, dtype=torch.long))
    return dict(inputs=[img], data_samples=[sample])


def test_same_normalisation_and_colour_order_for_both_halves():
    pre = PairedSegDataPreProcessor(mean=[1, 2, 3], std=[2, 4, 8],
                                    bgr_to_rgb=True)
    out = pre(batch(), training=False)
    x = out['inputs']
    assert x.shape == (1, 6, 5, 7)
    # BGR->RGB per half: channel order (2,1,0,5,4,3) -> values 30,20,10,...
    expected = [(30 - 1) / 2, (20 - 2) / 4, (10 - 3) / 8,
                (60 - 1) / 2, (50 - 2) / 4, (40 - 3) / 8]
    assert torch.allclose(x[0, :, 0, 0], torch.tensor(expected))


def test_padding_to_size_and_divisor():
    pre = PairedSegDataPreProcessor(mean=[0, 0, 0], std=[1, 1, 1],
                                    size=(8, 9), pad_val=-1, seg_pad_val=77)
    out = pre(batch(), training=True)
    x, seg = out['inputs'], out['data_samples'][0].gt_sem_seg.data
    assert x.shape == (1, 6, 8, 9)
    assert (x[0, :, 5:, :] == -1).all() and (x[0, :, :, 7:] == -1).all()
    assert seg.shape == (1, 8, 9)
    assert (seg[0, 5:, :] == 77).all() and (seg[0, :5, :7] == 1).all()
    pre = PairedSegDataPreProcessor(size_divisor=4)
    assert pre(batch(), training=True)['inputs'].shape == (1, 6, 8, 8)
    test_pad = PairedSegDataPreProcessor(test_cfg=dict(size_divisor=4))
    out = test_pad(batch(), training=False)
    assert out['inputs'].shape == (1, 6, 8, 8)
    assert list(out['data_samples'][0].img_padding_size) == [0, 1, 0, 3]


def test_batch_augments_run_in_training_only():
    calls = []

    def aug(inputs, samples):
        calls.append(inputs.shape)
        return inputs * 0, samples

    pre = PairedSegDataPreProcessor(size=(5, 7), batch_augments=[aug])
    assert (pre(batch(), training=True)['inputs'] == 0).all()
    assert (pre(batch(), training=False)['inputs'] != 0).all()
    assert calls == [(1, 6, 5, 7)]


def test_single_image_input_is_rejected():
    data = batch()
    data['inputs'] = [data['inputs'][0][:3]]
    with pytest.raises(ValueError, match=r'\(6, H, W\).*PackPairedSegInputs'):
        PairedSegDataPreProcessor()(data)


def two_sizes():
    small, large = batch(4, 6), batch(5, 7)
    return dict(inputs=small['inputs'] + large['inputs'],
                data_samples=small['data_samples'] + large['data_samples'])


def test_training_pads_to_the_batch_maximum_and_keeps_the_config():
    def failing(inputs, samples):
        raise RuntimeError('augment failed')

    pre = PairedSegDataPreProcessor(batch_augments=[failing])
    augments = pre.batch_augments
    with pytest.raises(RuntimeError, match='augment failed'):
        pre(two_sizes(), training=True)
    assert pre.size is None and pre.batch_augments is augments
    pre.batch_augments = []
    out = pre(two_sizes(), training=True)
    assert out['inputs'].shape == (2, 6, 5, 7)
    seg = out['data_samples'][0].gt_sem_seg.data
    assert (seg[0, 4:] == 255).all() and (seg[0, :, 6:] == 255).all()
    assert pre.size is None


def test_test_batch_of_two_sizes_is_rejected():
    with pytest.raises(ValueError, match=r'one size, got \[\(4, 6\), \(5, 7\)'):
        PairedSegDataPreProcessor()(two_sizes(), training=False)

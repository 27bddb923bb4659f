import numpy as np
import pytest
from mmseg.registry import TRANSFORMS

from mmdefect.datasets.transforms.label_size import check_label_size


def sample(label_hw, img_hw=(64, 64), ori_hw=None):
    return dict(
        img=np.zeros(img_hw + (3, ), np.uint8),
        ori_shape=ori_hw or img_hw,
        img_path='img/a.png',
        seg_map_path='ann/a.png',
        gt_seg_map=np.ones(label_hw, np.uint8),
        seg_fields=['gt_seg_map'])


def test_label_of_another_size_names_both_files_and_sizes():
    with pytest.raises(ValueError) as err:
        check_label_size(sample((32, 48)), where='PairedTransform')
    assert str(err.value).startswith(
        'label ann/a.png is 48x32 (WxH) but its image img/a.png is 64x64')
    assert 'label_size_policy="resize" in PairedTransform' in str(err.value)


def test_label_at_the_current_or_original_image_size_is_accepted():
    check_label_size(sample((64, 64)))
    # loaded after the image was resized (mmseg's test pipelines)
    check_label_size(sample((64, 64), img_hw=(128, 128), ori_hw=(64, 64)))
    check_label_size(dict(img=np.zeros((4, 4, 3))))  # no label yet


def test_resize_policy_resizes_with_nearest_neighbour():
    results = sample((32, 32))
    results['gt_seg_map'][:16] = 0
    out = check_label_size(results, 'resize')['gt_seg_map']
    assert out.shape == (64, 64) and out.dtype == np.uint8
    assert set(np.unique(out)) == {0, 1}
    assert (out[:32] == 0).all() and (out[32:] == 1).all()


@pytest.mark.parametrize('transform', ['PairedTransform',
                                       'PackPairedSegInputs'])
def test_paired_transforms_check_the_label(transform):
    cfg = dict(type=transform)
    if transform == 'PairedTransform':
        cfg['transforms'] = [dict(type='RandomFlip', prob=0.0)]
    results = sample((32, 32))
    results['ref_img'] = results['img'].copy()
    with pytest.raises(ValueError, match=f'in {transform} to resize'):
        TRANSFORMS.build(cfg)(dict(results))
    cfg['label_size_policy'] = 'resize'
    out = TRANSFORMS.build(cfg)(dict(results))
    if transform == 'PairedTransform':
        assert out['gt_seg_map'].shape == (64, 64)
    else:
        assert out['data_samples'].gt_sem_seg.data.shape == (1, 64, 64)
    with pytest.raises(ValueError, match='label_size_policy must be one of'):
        TRANSFORMS.build(dict(cfg, label_size_policy='crop'))

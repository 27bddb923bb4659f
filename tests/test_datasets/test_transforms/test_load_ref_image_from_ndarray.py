import cv2
import numpy as np
import pytest
from mmseg.registry import TRANSFORMS

from mmdefect.datasets.transforms import LoadRefImageFromNDArray


def test_array_reference_is_checked_and_converted():
    img = np.full((20, 30, 3), 50, np.uint8)
    ref = np.full((20, 30, 3), 100, np.uint8)
    out = LoadRefImageFromNDArray(to_float32=True)(dict(img=img, ref_img=ref))
    assert out['ref_img'].dtype == np.float32
    assert (out['ref_img'] == 100).all()
    assert out['ref_path'] is None
    with pytest.raises(ValueError, match='reference array is 15x10.*30x20'):
        LoadRefImageFromNDArray()(dict(img=img, ref_img=ref[:10, :15]))
    resized = LoadRefImageFromNDArray(size_policy='resize')(
        dict(img=img, ref_img=ref[:10, :15], ref_path='named.png'))
    assert resized['ref_img'].shape == (20, 30, 3)
    assert resized['ref_path'] == 'named.png'
    with pytest.raises(TypeError, match='numpy array'):
        LoadRefImageFromNDArray()(dict(img=img, ref_img=[[1]]))


def test_falls_back_to_the_file(tmp_path):
    path = str(tmp_path / 'ref.png')
    cv2.imwrite(path, np.full((20, 30, 3), 7, np.uint8))
    transform = TRANSFORMS.build(dict(type='LoadRefImageFromNDArray'))
    out = transform(dict(img=np.zeros((20, 30, 3), np.uint8), ref_path=path))
    assert (out['ref_img'] == 7).all()
    with pytest.raises(FileNotFoundError, match='missing.png'):
        transform(dict(img=out['img'], ref_path=str(tmp_path / 'missing.png')))

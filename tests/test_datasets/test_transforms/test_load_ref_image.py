import os.path as osp

import cv2
import numpy as np
import pytest

from mmdefect.datasets.transforms import LoadRefImageFromFile


def write(path, shape, value=100):
    cv2.imwrite(str(path), np.full(shape, value, np.uint8))
    return str(path)


def sample(tmp_path, ref_path, shape=(20, 30, 3)):
    img_path = write(tmp_path / 'img.png', shape, 50)
    return dict(img=cv2.imread(img_path), img_path=img_path, ref_path=ref_path)


def test_loads_reference_like_load_image(tmp_path):
    ref = write(tmp_path / 'ref.png', (20, 30, 3), 100)
    out = LoadRefImageFromFile()(sample(tmp_path, ref))
    assert out['ref_img'].shape == (20, 30, 3)
    assert out['ref_img'].dtype == np.uint8
    assert (out['ref_img'] == 100).all()
    gray = LoadRefImageFromFile(color_type='grayscale', to_float32=True)(
        sample(tmp_path, ref))
    assert gray['ref_img'].shape == (20, 30)
    assert gray['ref_img'].dtype == np.float32


def test_missing_reference_names_both_files(tmp_path):
    missing = str(tmp_path / 'nope.png')
    with pytest.raises(FileNotFoundError, match='nope.png.*img.png'):
        LoadRefImageFromFile()(sample(tmp_path, missing))


def test_unreadable_reference(tmp_path):
    bad = tmp_path / 'bad.png'
    bad.write_bytes(b'not an image at all')
    with pytest.raises(OSError, match='cannot decode reference image'):
        LoadRefImageFromFile()(sample(tmp_path, str(bad)))


def test_size_mismatch_error_and_resize_policy(tmp_path):
    ref = write(tmp_path / 'ref.png', (10, 15, 3))
    with pytest.raises(ValueError) as err:
        LoadRefImageFromFile()(sample(tmp_path, ref))
    assert str(err.value) == (
        f'reference {ref} is 15x10 (WxH) but the inspected image '
        f'{tmp_path / "img.png"} is 30x20; align them or set '
        f'size_policy="resize" in LoadRefImageFromFile')
    out = LoadRefImageFromFile(size_policy='resize', to_float32=True)(
        sample(tmp_path, ref))
    assert out['ref_img'].shape == (20, 30, 3)
    assert out['ref_img'].dtype == np.float32


def test_bad_policy_and_missing_key(tmp_path):
    with pytest.raises(ValueError, match='size_policy'):
        LoadRefImageFromFile(size_policy='crop')
    with pytest.raises(KeyError, match='ref_path'):
        LoadRefImageFromFile()(dict(img_path=osp.join(str(tmp_path), 'a')))


def test_empty_reference_file_is_named(tmp_path):
    """Before: OpenCV's bare "!buf.empty()" assertion."""
    empty = tmp_path / 'empty.png'
    empty.write_bytes(b'')
    with pytest.raises(OSError, match=r'reference image .*empty\.png is an '
                       r'empty file \(0 bytes\) \(reference of .*img\.png'):
        LoadRefImageFromFile()(sample(tmp_path, str(empty)))
    assert LoadRefImageFromFile(ignore_empty=True)(
        sample(tmp_path, str(empty))) is None

import cv2
import numpy as np
import pytest

from mmdefect.datasets.synthesis import (NUM_BUILTIN_PATTERNS, PATTERN_NAMES,
                                         builtin_patterns, load_pattern_dir,
                                         render_pattern)


def test_ten_fixed_builtin_patterns():
    names, images = builtin_patterns((48, 64))
    assert NUM_BUILTIN_PATTERNS == 10 and names == list(PATTERN_NAMES)
    assert len(set(names)) == 10
    for image in images:
        assert image.shape == (48, 64, 3) and image.dtype == np.uint8
        assert image.std() > 10, 'a pattern must not be flat'
    flat = [im.tobytes() for im in images]
    assert len(set(flat)) == 10, 'patterns must differ'
    assert np.array_equal(render_pattern(3, (48, 64)), images[3])


def test_pattern_index_checked():
    with pytest.raises(ValueError, match='pattern index'):
        render_pattern(10, (32, 32))


def test_load_pattern_dir(tmp_path):
    cv2.imwrite(str(tmp_path / 'b.png'), np.full((20, 30), 77, np.uint8))
    rgba = np.zeros((50, 40, 4), np.uint8)
    rgba[..., 2] = 200
    cv2.imwrite(str(tmp_path / 'a.png'), rgba)
    cv2.imwrite(str(tmp_path / 'c.jpg'), np.full((64, 64, 3), 30, np.uint8))
    (tmp_path / 'notes.txt').write_text('not an image')
    names, images = load_pattern_dir(tmp_path, (32, 36))
    assert names == ['a.png', 'b.png', 'c.jpg']
    for image in images:
        assert image.shape == (32, 36, 3) and image.dtype == np.uint8
    assert (images[0][..., 2] == 200).all() and (images[0][..., :2] == 0).all()
    assert (images[1] == 77).all()


def test_load_pattern_dir_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='holds no images'):
        load_pattern_dir(tmp_path, (32, 32))
    with pytest.raises(FileNotFoundError, match='not a directory'):
        load_pattern_dir(tmp_path / 'missing', (32, 32))

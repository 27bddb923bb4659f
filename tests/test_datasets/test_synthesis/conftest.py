import cv2
import numpy as np
import pytest


@pytest.fixture
def grey_pattern_dir(tmp_path):
    """Two flat mid-grey clean images: a fully controlled background."""
    folder = tmp_path / 'grey_patterns'
    folder.mkdir()
    for name, value in (('a_grey.png', 128), ('b_grey.png', 120)):
        cv2.imwrite(str(folder / name), np.full((40, 40, 3), value, np.uint8))
    return folder

"""A tiny generated anomaly-detection set (defect-free training images)."""
import os
import os.path as osp
from typing import Dict

import cv2
import numpy as np

from .toy_pairs import _defect, _texture


def make_toy_anomaly_dataset(root: str,
                             num_train: int = 8,
                             num_test: int = 4,
                             size: int = 64,
                             seed: int = 0) -> Dict[str, int]:
    """Write a CAT-style set: defect-free training images only, a test split
    with labels, both read as self-reference pairs (``ref_mode='self'``).

    Layout::

        root/img_dir/train/NNNN.png   defect-free textures (no labels)
        root/img_dir/test/NNNN.png    textures, odd indices with a defect
        root/ann_dir/test/NNNN.png    uint8 label (0 normal, 1 defect)

    Textures and defects are those of :func:`make_toy_paired_dataset`.

    Returns:
        dict: number of images per split.

    Raises:
        FileExistsError: ``root`` already holds files (nothing is
            overwritten).
    """
    if osp.isdir(root) and os.listdir(root):
        raise FileExistsError(f'{root} is not empty; refusing to overwrite')
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, 'img_dir', 'train'))
    os.makedirs(osp.join(root, 'img_dir', 'test'))
    os.makedirs(osp.join(root, 'ann_dir', 'test'))
    for idx in range(num_train):
        cv2.imwrite(
            osp.join(root, 'img_dir', 'train', f'{idx:04d}.png'),
            _texture(rng, size))
    for idx in range(num_test):
        img = _texture(rng, size)
        mask = _defect(rng, size) if idx % 2 else np.zeros((size, size),
                                                             np.uint8)
        img[mask == 1] = 255 if rng.random() < 0.5 else 0
        cv2.imwrite(osp.join(root, 'img_dir', 'test', f'{idx:04d}.png'), img)
        cv2.imwrite(osp.join(root, 'ann_dir', 'test', f'{idx:04d}.png'),
                    mask)
    return {'train': num_train, 'test': num_test}

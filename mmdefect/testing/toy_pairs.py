"""Tiny generated paired datasets for tests, examples and CI."""
import os
import os.path as osp
from typing import Dict

import cv2
import numpy as np


def _texture(rng: np.random.Generator, size: int) -> np.ndarray:
    """A smooth colour texture: bilinear upsampling of a coarse noise grid."""
    coarse = rng.integers(40, 216, size=(4, 4, 3), dtype=np.uint8)
    return cv2.resize(coarse, (size, size), interpolation=cv2.INTER_LINEAR)


def _defect(rng: np.random.Generator, size: int) -> np.ndarray:
    """A binary mask with one line or one blob defect."""
    mask = np.zeros((size, size), np.uint8)
    if rng.random() < 0.5:
        p0 = tuple(int(v) for v in rng.integers(0, size, 2))
        p1 = tuple(int(v) for v in rng.integers(0, size, 2))
        cv2.line(mask, p0, p1, 1, thickness=int(rng.integers(2, 5)))
    else:
        centre = tuple(int(v) for v in rng.integers(size // 6, 5 * size // 6,
                                                     2))
        cv2.circle(mask, centre, int(rng.integers(3, max(4, size // 6))), 1,
                   -1)
    return mask


def make_toy_paired_dataset(root: str,
                            num_train: int = 8,
                            num_test: int = 4,
                            size: int = 64,
                            seed: int = 0,
                            defect_free_every: int = 4) -> Dict[str, int]:
    """Write a paired two-class dataset (0 background, 1 defect).

    Layout, the one ``BasePairedDataset``/``SynLCDDataset`` read::

        root/img_dir/{train,test}/NNNN.png   inspected (BGR)
        root/ref_dir/{train,test}/NNNN.png   defect-free reference
        root/ann_dir/{train,test}/NNNN.png   uint8 label

    Each reference is a smooth random texture; the inspected image is the
    same texture with a dark or bright defect painted where the label is 1.
    Every ``defect_free_every``-th sample has no defect.

    Returns:
        dict: number of samples per split.

    Raises:
        FileExistsError: ``root`` already holds files (nothing is
            overwritten).
    """
    if osp.isdir(root) and os.listdir(root):
        raise FileExistsError(f'{root} is not empty; refusing to overwrite')
    rng = np.random.default_rng(seed)
    counts = {'train': num_train, 'test': num_test}
    for split, count in counts.items():
        for sub in ('img_dir', 'ref_dir', 'ann_dir'):
            os.makedirs(osp.join(root, sub, split), exist_ok=True)
        for idx in range(count):
            ref = _texture(rng, size)
            if defect_free_every and idx % defect_free_every == 0:
                mask = np.zeros((size, size), np.uint8)
            else:
                mask = _defect(rng, size)
            img = ref.copy()
            shade = 255 if rng.random() < 0.5 else 0
            img[mask == 1] = shade
            name = f'{idx:04d}.png'
            cv2.imwrite(osp.join(root, 'img_dir', split, name), img)
            cv2.imwrite(osp.join(root, 'ref_dir', split, name), ref)
            cv2.imwrite(osp.join(root, 'ann_dir', split, name), mask)
    return counts

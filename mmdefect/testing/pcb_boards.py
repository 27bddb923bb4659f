"""Synthetic PCB boards for the classical-difference tests."""
import cv2
import numpy as np
import torch


def board(*rects, size: int = 64) -> np.ndarray:
    """White (substrate) ``size`` x ``size`` grayscale uint8 image with dark
    copper rectangles ``(x1, y1, x2, y2)``, half-open."""
    img = np.full((size, size), 255, np.uint8)
    for x1, y1, x2, y2 in rects:
        img[y1:y2, x1:x2] = 0
    return img


def pair_tensor(test: np.ndarray, ref: np.ndarray) -> torch.Tensor:
    """(1, 6, H, W) float tensor of raw BGR values, test then reference,
    of two grayscale images."""
    bgr = [cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) for img in (test, ref)]
    return torch.from_numpy(np.concatenate(bgr, 2)).permute(2, 0,
                                                            1)[None].float()

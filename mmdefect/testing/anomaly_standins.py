"""Tiny stand-ins of the real anomaly-detection data sets, in their layouts.

Each writer creates a few small grey images with the published folder
layout, file names and mask conventions of MTD, KolektorSDD2, KolektorSDD
and RSDDs, so the data set classes can be tested without the data:
defective images get a dark blob with a mask of the same blob (soft-edged
where the real masks are), defect-free ones an all-zero mask. Writers refuse
a non-empty folder and return what they wrote.
"""
import os
import os.path as osp
from typing import Dict, List, Tuple

import cv2
import numpy as np


def _prepare(root: str) -> None:
    if osp.isdir(root) and os.listdir(root):
        raise FileExistsError(f'{root} is not empty; refusing to overwrite')
    os.makedirs(root, exist_ok=True)


def _sample(rng: np.random.Generator, shape: Tuple[int, int], defective: bool,
            soft: bool) -> Tuple[np.ndarray, np.ndarray]:
    """A grey texture and its 0-255 mask (one blob when ``defective``)."""
    height, width = shape
    coarse = rng.integers(90, 170, size=(4, 4), dtype=np.uint8)
    image = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_LINEAR)
    mask = np.zeros(shape, np.uint8)
    if defective:
        radius = max(2, min(shape) // 4)
        centre = (int(rng.integers(radius, width - radius + 1)),
                  int(rng.integers(radius, height - radius + 1)))
        cv2.circle(mask, centre, radius, 255, -1)
        if soft:
            mask = cv2.GaussianBlur(mask, (5, 5), 1.5)
        image = np.where(mask > 127, 20, image).astype(np.uint8)
    return image, mask


def make_mtd_standin(root: str,
                     num_free: int = 10,
                     defects: Dict[str, int] = None,
                     seed: int = 0) -> Dict[str, List[str]]:
    """MTD's layout: ``MT_<Class>/Imgs/NAME.jpg`` + ``NAME.png`` (soft
    masks) and ``splits/{train,test}.txt``.

    Sizes vary per image (as in MTD). The split follows the real one's rule:
    MT_Free in sorted name order, index ``% 5 == 0`` to test, the rest to
    train; all defective images to test. The last MT_Uneven mask is left
    empty, like four of the real ones.

    Returns:
        dict: ``{'train': [...], 'test': [...], 'defective': [...]}`` paths
        without extension.
    """
    _prepare(root)
    if defects is None:
        defects = dict(Blowhole=2, Break=1, Crack=1, Fray=1, Uneven=2)
    rng = np.random.default_rng(seed)
    free, defective = [], []
    for name, count in [('Free', num_free)] + sorted(defects.items()):
        os.makedirs(osp.join(root, f'MT_{name}', 'Imgs'))
        for i in range(count):
            stem = f'MT_{name}/Imgs/exp{i}_num_{1000 + 37 * i}'
            shape = (int(rng.integers(24, 40)), int(rng.integers(20, 48)))
            empty = name == 'Uneven' and i == count - 1
            image, mask = _sample(rng, shape, name != 'Free' and not empty,
                                  True)
            cv2.imwrite(osp.join(root, stem + '.jpg'), image)
            cv2.imwrite(osp.join(root, stem + '.png'), mask)
            (free if name == 'Free' else defective).append(stem)
    free.sort()
    written = dict(
        train=[s for i, s in enumerate(free) if i % 5],
        test=[s for i, s in enumerate(free) if not i % 5] + defective,
        defective=defective)
    os.makedirs(osp.join(root, 'splits'))
    for split in ('train', 'test'):
        with open(osp.join(root, 'splits', f'{split}.txt'), 'w') as f:
            f.write(''.join(f'{s}\n' for s in written[split]))
    return written


def make_ksdd2_standin(root: str,
                       counts: Dict[str, Tuple[int, int]] = None,
                       seed: int = 0) -> Dict[str, Dict[str, List[str]]]:
    """KolektorSDD2's layout: ``{train,test}/ID.png`` + ``ID_GT.png``
    (0/255 masks with soft edges).

    Args:
        counts (dict): ``{split: (num_normal, num_defective)}``; defaults to
            ``train (6, 2)``, ``test (3, 3)``.

    Returns:
        dict: ``{split: {'normal': [...], 'defective': [...]}}`` of IDs.
    """
    _prepare(root)
    counts = counts or dict(train=(6, 2), test=(3, 3))
    rng = np.random.default_rng(seed)
    written = {}
    for split, (normal, defective) in counts.items():
        os.makedirs(osp.join(root, split))
        written[split] = {'normal': [], 'defective': []}
        ids = rng.permutation(normal + defective)
        for i, order in enumerate(ids):
            sample_id = f'{10000 + 17 * int(order) + (split == "test")}'
            is_defect = i < defective
            shape = (int(rng.integers(40, 56)), int(rng.integers(14, 20)))
            image, mask = _sample(rng, shape, is_defect, True)
            cv2.imwrite(
                osp.join(root, split, f'{sample_id}.png'),
                cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))
            cv2.imwrite(osp.join(root, split, f'{sample_id}_GT.png'), mask)
            written[split]['defective' if is_defect else 'normal'].append(
                sample_id)
    return written


def make_ksdd1_standin(root: str,
                       num_folders: int = 4,
                       parts: int = 3,
                       defective: Tuple[str, ...] = ('kos01/Part1',
                                                     'kos03/Part0'),
                       seed: int = 0) -> List[str]:
    """KolektorSDD's layout: ``kosNN/PartK.jpg`` + ``PartK_label.bmp``
    (greyscale, masks 0/255), images 5x smaller than the real ~500x1250.

    Returns:
        list[str]: All ``'kosNN/PartK'`` names written.
    """
    _prepare(root)
    rng = np.random.default_rng(seed)
    names = []
    for k in range(1, num_folders + 1):
        folder = f'kos{k:02d}'
        os.makedirs(osp.join(root, folder))
        for part in range(parts):
            name = f'{folder}/Part{part}'
            shape = (int(rng.integers(248, 256)), 100)
            image, mask = _sample(rng, shape, name in defective, False)
            cv2.imwrite(osp.join(root, name + '.jpg'), image)
            cv2.imwrite(osp.join(root, name + '_label.bmp'), mask)
            names.append(name)
    return names


RSDD_STANDIN_SHAPES = {'I': (100, 16), 'II': (125, 6)}


def make_rsdd_standin(root: str,
                      counts: Dict[str, int] = None,
                      seed: int = 0) -> Dict[str, List[str]]:
    """RSDDs' layout: ``Type-<T> RSDDs dataset/Rail surface images/*.jpg``
    and ``.../GroundTruth/*.jpg`` (JPEG masks, so their values are noisy),
    every image defective, strips 10x smaller than the real 160x1000 and
    55x1250.

    Returns:
        dict: ``{type: [file names]}``.
    """
    _prepare(root)
    counts = counts or {'I': 3, 'II': 2}
    rng = np.random.default_rng(seed)
    written = {}
    for kind, count in counts.items():
        base = osp.join(root, f'Type-{kind} RSDDs dataset')
        os.makedirs(osp.join(base, 'Rail surface images'))
        os.makedirs(osp.join(base, 'GroundTruth'))
        written[kind] = []
        for i in range(1, count + 1):
            name = f'rail_{i}.jpg'
            image, mask = _sample(rng, RSDD_STANDIN_SHAPES[kind], True, False)
            cv2.imwrite(osp.join(base, 'Rail surface images', name), image)
            cv2.imwrite(
                osp.join(base, 'GroundTruth', name), mask,
                [cv2.IMWRITE_JPEG_QUALITY, 75])
            written[kind].append(name)
    return written

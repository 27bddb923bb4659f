"""Convert MVTec AD into the supervised, paired layout of the CADNet paper.

    python tools/dataset_converters/mvtec.py /data/mvtec_ad data/mvtec_sup

All images of the 15 categories (train/good and every test folder, 5,354 in
the official release) are shuffled with a fixed seed and split 70/30 (the
paper: 3,747 / 1,607).  Labels hold the category index (1..15) on defect
pixels and 0 elsewhere, so one model segments the defects of all categories.
Each category's reference is its ``train/good/000.png`` (as in the authors'
code), copied to ``ref_dir/<category>.png``.  Output layout (read by
``MVTecSupervisedDataset``)::

    out/img_dir/{train,test}/<category>/<type>_<id>.png
    out/ann_dir/{train,test}/<category>/<type>_<id>.png
    out/ref_dir/<category>.png
"""
import argparse
import os
import os.path as osp
import random
import shutil

import cv2
import numpy as np

from mmdefect.datasets.mvtec_supervised import MVTEC_CATEGORIES


def collect(src: str, categories):
    """(category, type, id, image path, mask path or None) of every image."""
    samples = []
    for cat in categories:
        for split in ('train', 'test'):
            split_dir = osp.join(src, cat, split)
            if not osp.isdir(split_dir):
                raise FileNotFoundError(f'{split_dir} not found: expected the '
                                        f'MVTec AD layout <root>/<category>/'
                                        f'{{train,test}}/<type>/<id>.png')
            for kind in sorted(os.listdir(split_dir)):
                for name in sorted(os.listdir(osp.join(split_dir, kind))):
                    if not name.endswith('.png'):
                        continue
                    stem = osp.splitext(name)[0]
                    mask = None
                    if kind != 'good':
                        mask = osp.join(src, cat, 'ground_truth', kind,
                                        f'{stem}_mask.png')
                        if not osp.isfile(mask):
                            raise FileNotFoundError(
                                f'mask {mask} of {split_dir}/{kind}/{name} '
                                f'not found')
                    samples.append((cat, f'{split}-{kind}', stem,
                                    osp.join(split_dir, kind, name), mask))
    if not samples:
        raise ValueError(f'no MVTec AD images found under {src}')
    return samples


def convert(src: str, out: str, categories=MVTEC_CATEGORIES,
            train_ratio: float = 0.7, seed: int = 0) -> dict:
    """Write the layout; returns the number of samples per split."""
    if osp.isdir(out) and os.listdir(out):
        raise FileExistsError(f'{out} is not empty; refusing to overwrite')
    samples = collect(src, categories)
    order = list(range(len(samples)))
    random.Random(seed).shuffle(order)
    num_train = int(round(train_ratio * len(samples)))
    counts = {'train': 0, 'test': 0}
    for rank, idx in enumerate(order):
        cat, kind, stem, img_path, mask_path = samples[idx]
        split = 'train' if rank < num_train else 'test'
        img = cv2.imread(img_path, cv2.IMREAD_COLOR)
        if img is None:
            raise OSError(f'cannot read {img_path}')
        label = np.zeros(img.shape[:2], np.uint8)
        if mask_path is not None:
            mask = cv2.imread(mask_path, cv2.IMREAD_GRAYSCALE)
            if mask is None or mask.shape != label.shape:
                raise ValueError(f'mask {mask_path} is unreadable or not '
                                 f'{label.shape[1]}x{label.shape[0]}')
            label[mask > 0] = MVTEC_CATEGORIES.index(cat) + 1
        name = f'{kind}_{stem}.png'
        for sub, data in (('img_dir', img), ('ann_dir', label)):
            folder = osp.join(out, sub, split, cat)
            os.makedirs(folder, exist_ok=True)
            cv2.imwrite(osp.join(folder, name), data)
        counts[split] += 1
    os.makedirs(osp.join(out, 'ref_dir'), exist_ok=True)
    for cat in categories:
        shutil.copyfile(osp.join(src, cat, 'train', 'good', '000.png'),
                        osp.join(out, 'ref_dir', f'{cat}.png'))
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='MVTec AD root')
    parser.add_argument('out', help='output folder (must be empty)')
    parser.add_argument('--train-ratio', type=float, default=0.7)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--categories', nargs='+', default=MVTEC_CATEGORIES)
    args = parser.parse_args(argv)
    counts = convert(args.src, args.out, args.categories, args.train_ratio,
                     args.seed)
    print(f'wrote {counts} samples to {args.out}')


if __name__ == '__main__':
    main()

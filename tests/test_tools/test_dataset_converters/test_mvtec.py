"""tools/dataset_converters/mvtec.py as a user runs it (subprocess)."""
import os

import cv2
import numpy as np

from mmdefect.datasets import MVTecSupervisedDataset
from mmdefect.testing import run_tool

CONVERTER = 'tools/dataset_converters/mvtec.py'


def fake_mvtec(root, categories=('bottle', 'screw')):
    for cat in categories:
        for split, kind, n in (('train', 'good', 4), ('test', 'good', 2),
                               ('test', 'crack', 4)):
            folder = root / cat / split / kind
            os.makedirs(folder, exist_ok=True)
            for i in range(n):
                cv2.imwrite(
                    str(folder / f'{i:03d}.png'),
                    np.full((16, 16, 3), 10 * i, np.uint8))
                if kind != 'good':
                    gt = root / cat / 'ground_truth' / kind
                    os.makedirs(gt, exist_ok=True)
                    mask = np.zeros((16, 16), np.uint8)
                    mask[4:8, 4:8] = 255
                    cv2.imwrite(str(gt / f'{i:03d}_mask.png'), mask)


def test_convert_split_labels_and_dataset(tmp_path):
    src, out = tmp_path / 'mvtec', tmp_path / 'out'
    fake_mvtec(src)
    printed = run_tool(
        [CONVERTER,
         str(src),
         str(out), '--categories', 'bottle', 'screw'])
    # 70/30 of 20 images
    assert "wrote {'train': 14, 'test': 6} samples" in printed
    [label_path] = out.glob('ann_dir/*/screw/test-crack_001.png')
    label = cv2.imread(str(label_path), cv2.IMREAD_GRAYSCALE)
    # screw is category 10 of MVTec's 15 -> label 10 on defect pixels
    assert set(np.unique(label)) == {0, 10}
    assert (label[4:8, 4:8] == 10).all()
    ds = MVTecSupervisedDataset(
        data_root=str(out),
        data_prefix=dict(
            img_path='img_dir/train', seg_map_path='ann_dir/train'))
    assert len(ds) == 14
    for info in map(ds.get_data_info, range(len(ds))):
        category = info['img_path'].split(os.sep)[-2]
        assert info['ref_path'].endswith(f'ref_dir/{category}.png')
    refused = run_tool(
        [CONVERTER, str(src),
         str(out), '--categories', 'bottle'],
        expect_ok=False)
    assert 'FileExistsError' in refused

import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmdefect.datasets import PCBDataset


def test_template_is_found_by_board_and_crop(tmp_path):
    for sub in ('split_images', 'split_PCB_USED', 'ann_dir'):
        os.makedirs(tmp_path / sub)
    img = np.zeros((8, 8, 3), np.uint8)
    cv2.imwrite(str(tmp_path / 'split_images' / '01_spur_07_3.jpg'), img)
    cv2.imwrite(str(tmp_path / 'split_PCB_USED' / '01_3.jpg'), img)
    (tmp_path / 'train.txt').write_text('01_spur_07_3\n')
    ds = PCBDataset(data_root=str(tmp_path), ann_file='train.txt',
                    data_prefix=dict(img_path='split_images',
                                     ref_path='split_PCB_USED',
                                     seg_map_path='ann_dir'))
    info = ds.get_data_info(0)
    assert info['ref_path'] == osp.join(str(tmp_path), 'split_PCB_USED',
                                        '01_3.jpg')
    assert info['seg_map_path'].endswith('01_spur_07_3.png')
    assert ds.metainfo['classes'][4] == 'spur'
    assert len(ds.metainfo['classes']) == 7
    (tmp_path / 'bad.txt').write_text('nounderscore\n')
    with pytest.raises(ValueError, match='cannot derive the template'):
        PCBDataset(data_root=str(tmp_path), ann_file='bad.txt',
                   data_prefix=dict(img_path='split_images',
                                    ref_path='split_PCB_USED'))

import shutil

import pytest
from mmengine.config import Config
from mmseg.registry import DATASETS

from mmdefect.testing import REPO_ROOT
from mmdefect.utils import describe_empty_files


def test_describe_empty_files_names_only_the_empty_ones(tmp_path):
    (tmp_path / 'a.png').write_bytes(b'x')
    (tmp_path / 'b.png').write_bytes(b'')
    info = dict(img_path=str(tmp_path / 'a.png'),
                ref_path=str(tmp_path / 'b.png'),
                seg_map_path=str(tmp_path / 'missing.png'))
    assert describe_empty_files(info) == (
        f'ref_path {tmp_path / "b.png"} is an empty file (0 bytes)')
    assert describe_empty_files(dict(img_path=None)) == ''


@pytest.mark.parametrize('key, folder', [('img_path', 'img_dir'),
                                         ('ref_path', 'ref_dir'),
                                         ('seg_map_path', 'ann_dir')])
def test_zero_byte_image_of_a_sample_is_named(toy_root, tmp_path, key,
                                              folder):
    """Before: the sample's three paths and OpenCV's "!buf.empty()" (or
    PIL's "cannot identify image file"), not which file is empty."""
    root = tmp_path / 'toy'
    shutil.copytree(toy_root, root)
    empty = root / folder / 'test' / '0001.png'
    empty.write_bytes(b'')
    cfg = Config.fromfile(f'{REPO_ROOT}/configs/_base_/datasets/'
                          'toy_pairs.py').test_dataloader.dataset
    cfg.data_root = str(root)
    dataset = DATASETS.build(cfg)
    with pytest.raises(RuntimeError) as err:
        dataset[1]
    assert f'{key} {empty} is an empty file (0 bytes)' in str(err.value)
    others = {'img_path', 'ref_path', 'seg_map_path'} - {key}
    assert not any(f'{other} ' in str(err.value).split('prepared: ')[1]
                   for other in others)

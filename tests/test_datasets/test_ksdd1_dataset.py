import os.path as osp

import pytest

from mmdefect.datasets import KSDD1Dataset

# mmengine's serialisation (a full gc.collect) is what makes building
# datasets slow in a test process; it does not change the data lists.
FAST = dict(serialize_data=False)


def _names(dataset, root):
    return [
        osp.relpath(dataset.get_data_info(i)['img_path'], root)[:-4]
        for i in range(len(dataset))
    ]


def test_layout_and_defects(ksdd1_standin):
    root, names = ksdd1_standin
    dataset = KSDD1Dataset(data_root=root, **FAST)
    assert dataset.split == 'test' and not dataset.normal_only
    assert _names(dataset, root) == names
    info = dataset.get_data_info(1)
    assert info['seg_map_path'] == osp.join(root, 'kos01', 'Part1_label.bmp')
    assert info['folder'] == 'kos01'
    defective = {
        n
        for i, n in enumerate(_names(dataset, root))
        if dataset.get_data_info(i)['is_defective']
    }
    assert defective == {'kos01/Part1', 'kos03/Part0'}
    train = KSDD1Dataset(split='train', data_root=root, **FAST)
    assert len(train) == len(names) - 2
    fewer = KSDD1Dataset(data_root=root, exclude=('kos02/Part1', ), **FAST)
    assert 'kos02/Part1' not in _names(fewer, root)
    assert len(fewer) == len(names) - 1


def test_folder_folds_are_disjoint(ksdd1_standin):
    root, names = ksdd1_standin
    folds = []
    for fold in range(2):
        test = KSDD1Dataset(
            split='test',
            fold=fold,
            num_folds=2,
            data_root=root,
            normal_only=False,
            **FAST)
        train = KSDD1Dataset(
            split='train',
            fold=fold,
            num_folds=2,
            data_root=root,
            normal_only=False,
            **FAST)
        test_folders = {n.split('/')[0] for n in _names(test, root)}
        train_folders = {n.split('/')[0] for n in _names(train, root)}
        assert not test_folders & train_folders
        assert sorted(_names(test, root) + _names(train, root)) == names
        folds.append(test_folders)
    assert folds == [{'kos01', 'kos03'}, {'kos02', 'kos04'}]
    picked = KSDD1Dataset(data_root=root, folders=['kos04', 'kos02'], **FAST)
    assert {n.split('/')[0]
            for n in _names(picked, root)} == {'kos02', 'kos04'}


def test_bad_arguments(ksdd1_standin, tmp_path):
    root, _ = ksdd1_standin
    with pytest.raises(ValueError, match='fold'):
        KSDD1Dataset(data_root=root, fold=3, num_folds=3, **FAST)
    with pytest.raises(FileNotFoundError, match='kos99'):
        KSDD1Dataset(data_root=root, folders=['kos99'], **FAST)
    with pytest.raises(FileNotFoundError, match='data_root'):
        KSDD1Dataset(data_root=str(tmp_path / 'none'), **FAST)

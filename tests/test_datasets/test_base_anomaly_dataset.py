import pytest

from mmdefect.datasets import KSDD2Dataset, RSDDDataset
from mmdefect.datasets.base_anomaly_dataset import (check_holdout,
                                                    select_holdout)

# mmengine's serialisation (a full gc.collect) is what makes building
# datasets slow in a test process; it does not change the data lists.
FAST = dict(serialize_data=False)


def _paths(dataset):
    return [dataset.get_data_info(i)['img_path'] for i in range(len(dataset))]


def test_select_holdout_every_nth_and_complement():
    items = list(range(23))
    held = select_holdout(items, dict(every=10, subset='held_out'))
    rest = select_holdout(items, dict(every=10, subset='rest'))
    assert held == [0, 10, 20]
    assert sorted(held + rest) == items and not set(held) & set(rest)
    assert select_holdout(items, None) == items


@pytest.mark.parametrize('holdout, match', [
    (dict(every=1), 'every'),
    (dict(every='10'), 'every'),
    (dict(every=10, subset='val'), 'subset'),
    (dict(every=10, part='rest'), 'keys'),
    ([10], 'keys'),
])
def test_check_holdout_rejects(holdout, match):
    with pytest.raises(ValueError, match=match):
        check_holdout(holdout, 'X')
    assert check_holdout(dict(every=3), 'X') == dict(every=3, subset='rest')


def test_self_reference_binary_classes(ksdd2_standin):
    root, _ = ksdd2_standin
    dataset = KSDD2Dataset(split='test', data_root=root, **FAST)
    assert dataset.metainfo['classes'] == ('normal', 'defect')
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        assert info['ref_path'] == info['img_path']
        assert info['num_classes'] == 2
    with pytest.raises(ValueError, match='ref_mode'):
        KSDD2Dataset(
            split='test', data_root=root, ref_mode='per_sample', **FAST)
    with pytest.raises(ValueError, match="split must be one of"):
        KSDD2Dataset(split='val', data_root=root, **FAST)


def test_normal_only_then_holdout(ksdd2_standin):
    root, written = ksdd2_standin
    normal = KSDD2Dataset(split='train', data_root=root, **FAST)
    assert normal.normal_only and len(normal) == len(
        written['train']['normal'])
    assert not any(
        normal.get_data_info(i)['is_defective'] for i in range(len(normal)))
    everything = KSDD2Dataset(
        split='train', data_root=root, normal_only=False, **FAST)
    assert len(everything) == 8
    held = KSDD2Dataset(
        split='train',
        data_root=root,
        holdout=dict(every=4, subset='held_out'),
        **FAST)
    rest = KSDD2Dataset(
        split='train',
        data_root=root,
        holdout=dict(every=4, subset='rest'),
        **FAST)
    assert _paths(held) == _paths(normal)[::4]
    assert sorted(_paths(held) + _paths(rest)) == sorted(_paths(normal))


def test_empty_selection_is_an_error(rsdd_standin):
    root, _ = rsdd_standin
    with pytest.raises(ValueError, match='no defect-free samples') as err:
        RSDDDataset(data_root=root, normal_only=True, **FAST)
    assert root in str(err.value)

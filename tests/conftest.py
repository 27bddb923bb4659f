import pytest

from mmdefect.testing import (make_toy_paired_dataset, single_thread,
                              toy_checkpoint)
from mmdefect.testing.anomaly_standins import (make_ksdd1_standin,
                                               make_ksdd2_standin,
                                               make_mtd_standin,
                                               make_rsdd_standin)
from mmdefect.utils import register_all_modules


@pytest.fixture(scope='session', autouse=True)
def _register():
    register_all_modules(init_default_scope=True)


@pytest.fixture(scope='session')
def toy_root(tmp_path_factory):
    """A tiny generated paired dataset (8 train / 4 test, 64x64)."""
    root = str(tmp_path_factory.mktemp('toy') / 'toy_pairs')
    make_toy_paired_dataset(root, num_train=8, num_test=4, size=64, seed=0)
    return root


@pytest.fixture(scope='session')
def toy_ckpt(toy_root, tmp_path_factory):
    """``iter_2.pth`` of the toy config trained on ``toy_root`` (once)."""
    return toy_checkpoint(toy_root, tmp_path_factory)


@pytest.fixture(scope='module')
def one_thread():
    """PyTorch on one thread for a module that asks for it with
    ``pytestmark = pytest.mark.usefixtures('one_thread')`` (tiny models)."""
    with single_thread():
        yield


@pytest.fixture(scope='session')
def mtd_standin(tmp_path_factory):
    """MTD's layout, tiny: ``(root, {'train', 'test', 'defective'})``."""
    root = str(tmp_path_factory.mktemp('mtd') / 'MTD')
    return root, make_mtd_standin(root)


@pytest.fixture(scope='session')
def ksdd2_standin(tmp_path_factory):
    """KolektorSDD2's layout, tiny: ``(root, {split: {'normal',
    'defective'}})``."""
    root = str(tmp_path_factory.mktemp('ksdd2') / 'KolektorSDD2')
    return root, make_ksdd2_standin(root)


@pytest.fixture(scope='session')
def ksdd1_standin(tmp_path_factory):
    """KolektorSDD's layout, 4 folders x 3 parts: ``(root, names)``."""
    root = str(tmp_path_factory.mktemp('ksdd1') / 'KolektorSDD')
    return root, make_ksdd1_standin(root)


@pytest.fixture(scope='session')
def rsdd_standin(tmp_path_factory):
    """RSDDs' layout, 3 Type-I and 2 Type-II strips: ``(root, {type:
    names})``."""
    root = str(tmp_path_factory.mktemp('rsdd') / 'RSDDs dataset')
    return root, make_rsdd_standin(root)


@pytest.fixture(scope='session')
def synsurface_root(tmp_path_factory):
    """A small generated SynSurface (12 train / 10 val / 12 test, 64x64,
    seed 0): ``(root, manifest)``."""
    from mmdefect.datasets.synthesis import SynSurfaceGenerator
    root = tmp_path_factory.mktemp('synsurface') / 'synsurface'
    manifest = SynSurfaceGenerator(
        root, num_train=12, num_val=10, num_test=12, size=64,
        seed=0).run(progress=False)
    return str(root), manifest

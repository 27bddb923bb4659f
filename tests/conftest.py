import pytest

from mmdefect.testing import REPO_ROOT  # noqa: F401 (old import path)
from mmdefect.testing import make_toy_paired_dataset
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

"""Every class mmdefect registers is exported where users look for it."""
import importlib

import mmseg.registry as mmseg_registry
import pytest
from mmengine.registry import Registry


def registered_classes():
    found = []
    for name in dir(mmseg_registry):
        registry = getattr(mmseg_registry, name)
        if not isinstance(registry, Registry):
            continue
        for key, obj in registry.module_dict.items():
            if getattr(obj, '__module__', '').startswith('mmdefect.'):
                found.append((registry.name, key, obj))
    return found


def test_mmdefect_registers_classes():
    names = {key for _, key, _ in registered_classes()}
    assert {'ClassicalDiffSegmentor', 'DeepPCBDataset', 'RNGStateHook',
            'CPUDistributedDataParallel'} <= names


@pytest.mark.parametrize(
    'registry,name,obj', registered_classes(),
    ids=lambda value: value if isinstance(value, str) else '')
def test_registered_class_is_in_all(registry, name, obj):
    """In ``__all__`` of its own package and of the top-level subpackage
    (``mmdefect.models`` for ``mmdefect.models.segmentors.x``)."""
    parts = obj.__module__.split('.')
    packages = {'.'.join(parts[:2]), '.'.join(parts[:-1])}
    for package in sorted(packages):
        module = importlib.import_module(package)
        exported = getattr(module, '__all__', [])
        assert obj.__name__ in exported, \
            f'{obj.__name__} ({registry}) missing from {package}.__all__'
        assert getattr(module, obj.__name__) is obj

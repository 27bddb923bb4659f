"""High-level inference APIs.

The names below are imported on first use (module ``__getattr__``): neither
``import mmdefect`` (registration, training) nor ``from mmdefect.apis import
PairResult`` loads the inferencer and mmengine's inference stack.
"""
import importlib

_LAZY = {'DefectInferencer': 'defect_inferencer', 'PairResult': 'pair_result'}

__all__ = ['DefectInferencer', 'PairResult']


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(
            importlib.import_module(f'.{_LAZY[name]}', __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


def __dir__():
    return sorted(list(globals()) + __all__)

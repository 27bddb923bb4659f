"""mmdefect: surface-defect segmentation as an MMSegmentation 1.x add-on.

Importing the package registers its datasets, transforms, models, metrics,
visualizers and engine components into MMSegmentation's registries, so any
MMSeg config can use them through
``custom_imports = dict(imports=['mmdefect'], allow_failed_imports=False)``.
It also replaces mmengine's checkpoint loaders with allow-list based safe
loading (see :mod:`mmdefect.engine.safe_checkpoint`).  The inference API,
:mod:`mmdefect.apis`, is imported on first use.
"""
import importlib

from .utils.quiet_imports import import_quietly
from .version import __version__, version_info

# mmseg.datasets prints "Could not import OneDL" (twice) when the optional
# OneDL SDK is absent; import it once here without that notice
import_quietly('mmseg.datasets')
from . import datasets, engine, evaluation, models, visualization  # noqa: F401,E402,I001

__all__ = ['__version__', 'version_info']


def __getattr__(name: str):
    """``mmdefect.apis`` (the inferencer) is imported on first use: it
    registers nothing, and training does not need it."""
    if name == 'apis':
        return importlib.import_module('.apis', __name__)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')

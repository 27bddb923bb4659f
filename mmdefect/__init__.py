"""mmdefect: surface-defect segmentation as an MMSegmentation 1.x add-on.

Importing the package registers its datasets, transforms, models, metrics,
visualizers and engine components into MMSegmentation's registries, so any
MMSeg config can use them through
``custom_imports = dict(imports=['mmdefect'], allow_failed_imports=False)``.
It also replaces mmengine's checkpoint loaders with allow-list based safe
loading (see :mod:`mmdefect.engine.safe_checkpoint`).
"""
from .version import __version__, version_info
from . import apis, datasets, engine, evaluation, models, visualization  # noqa: F401,E402,I001

__all__ = ['__version__', 'version_info']

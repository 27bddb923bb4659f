"""Programmatic registration of mmdefect's modules."""
from mmseg.utils import register_all_modules as mmseg_register_all_modules


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register mmseg's and mmdefect's modules in mmseg's registries.

    Importing :mod:`mmdefect` registers its modules; this function is the
    explicit form for scripts and notebooks, mirroring
    :func:`mmseg.utils.register_all_modules`.

    Args:
        init_default_scope (bool): make ``'mmseg'`` the default scope, as
            mmseg does. Defaults to True.
    """
    import mmdefect  # noqa: F401
    mmseg_register_all_modules(init_default_scope=init_default_scope)

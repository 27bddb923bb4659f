"""Import the OpenMMLab forks without their start-up notices."""
import contextlib
import importlib
import io
import sys
from types import ModuleType

#: printed (``print_log`` without a logger) by onedl-mmseg's and
#: onedl-mmpretrain's ``datasets`` packages when the optional OneDL SDK is
#: not installed; mmdefect does not use OneDL data sets.
ONEDL_NOTICE = 'Could not import OneDL'


@contextlib.contextmanager
def onedl_notice_silenced():
    """Drop :data:`ONEDL_NOTICE` lines from what the block prints.

    Anything else the block writes to ``stdout`` is passed on unchanged
    (after the block).
    """
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            yield
    finally:
        kept = ''.join(
            line for line in buffer.getvalue().splitlines(keepends=True)
            if line.rstrip('\r\n') != ONEDL_NOTICE)
        if kept:
            sys.stdout.write(kept)


def import_quietly(name: str) -> ModuleType:
    """``importlib.import_module(name)`` without the OneDL notice."""
    with onedl_notice_silenced():
        return importlib.import_module(name)

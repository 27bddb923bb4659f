"""Where the tests find the repository and the shared data copies.

The helpers of :mod:`mmdefect.testing` run the command-line tools of a
source checkout (``pip install -e .``): ``REPO_ROOT`` is the folder holding
the ``mmdefect`` package, ``tools/`` and ``configs/``.  Real data sets are
looked for in ``<REPO_ROOT>/../shared/data`` unless ``MMDEFECT_DATA_ROOT``
names another folder; tests that need them are skipped when they are absent.
"""
import os
import os.path as osp

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DATA_ROOT = os.environ.get(
    'MMDEFECT_DATA_ROOT',
    osp.normpath(osp.join(REPO_ROOT, '..', 'shared', 'data')))
#: The authors' DeepPCB repository layout (``PCBData``, ``evaluation``).
DEEPPCB_ROOT = osp.join(DATA_ROOT, 'DeepPCB')
DEEPPCB_PCBDATA = osp.join(DEEPPCB_ROOT, 'PCBData')
HAS_DEEPPCB = osp.isfile(osp.join(DEEPPCB_PCBDATA, 'trainval.txt'))

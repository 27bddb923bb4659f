"""Run the DeepPCB authors' evaluation script under Python 3.

The DeepPCB authors score detections with ``evaluation/script.py`` and
``evaluation/rrc_evaluation_funcs.py`` (a modified ICDAR 2015 script for
Python 2.7 and the ``Polygon`` module).  The tests compare
:mod:`mmdefect.evaluation.functional.deeppcb_protocol` with that script, so
this helper reads the two files from the data copy at run time (nothing of
them is copied into this repository), changes them as little as possible
and runs them here.  What is changed, and why:

* Python 2 syntax, by explicit text substitutions (:data:`SOURCE_FIXES`,
  each checked to occur as often as expected): print statements,
  ``except Exception, e``, ``from StringIO import StringIO``,
  ``.iteritems()``, and ``unicode(<literal>, 'utf-8')``, which becomes the
  literal itself.
* Two missing commas in ``default_evaluation_params``: the commas after the
  ``GT_SAMPLE_NAME_2_ID`` and ``DET_SAMPLE_NAME_2_ID`` values are inside the
  trailing comments, so the shipped ``script.py`` does not compile.
* ``Polygon`` is :class:`RectanglePolygon`, a stand-in that is exact for
  what the script builds with ``LTRB=True`` (axis-aligned rectangles with
  integer corners) and refuses anything else; ``Polygon3`` from PyPI crashes
  on Python 3.11.  It is installed in ``sys.modules`` only while the script
  runs.
* ``LTRB=True``.  The shipped parameters (``LTRB=False``) expect eight
  comma-separated coordinates per line, while ``gt.zip`` holds
  space-separated ``x1 y1 x2 y2 type`` lines: as shipped, the script parses
  neither ``gt.zip`` nor the submission format of the authors' README.
  This helper therefore writes both zips in the two-corner form the script
  reads with ``LTRB=True``: ground truth ``x1,y1,x2,y2,type`` and detections
  ``x1,y1,x2,y2,confidence,type``, the type being the README's name of the
  class (:data:`TYPE_NAMES`) in both, and the confidence written with six
  decimals (the script's pattern ``[0-1].?[0-9]*`` needs a value in
  [0, 1] without exponent).

Everything else, the matching, precision, recall, hmean and AP, is the
script's own code.
"""
import functools
import os.path as osp
import re
import sys
import tempfile
import types
import zipfile
from contextlib import contextmanager
from typing import Dict, Sequence
from unittest import mock

import numpy as np

from mmdefect.datasets.functional.deeppcb import DEEPPCB_SUBMISSION_NAMES

from .paths import DEEPPCB_ROOT

#: The authors' ``evaluation`` folder in the data copy beside the repository.
EVAL_DIR = osp.join(DEEPPCB_ROOT, 'evaluation')
SCRIPT_FOUND = all(
    osp.isfile(osp.join(EVAL_DIR, name))
    for name in ('script.py', 'rrc_evaluation_funcs.py', 'gt.zip'))

#: Type names of the authors' submission format, index = class value.
TYPE_NAMES = DEEPPCB_SUBMISSION_NAMES

#: Per file: (old text, new text, number of occurrences).
SOURCE_FIXES = {
    'rrc_evaluation_funcs.py': [
        ('from StringIO import StringIO', 'from io import StringIO', 1),
        ('except Exception, e:', 'except Exception as e:', 1),
        ("print 'SUCCESS'", "print('SUCCESS')", 1),
        ('print str(e)', 'print(str(e))', 1),
        ('.iteritems()', '.items()', 2),
    ],
    'script.py': [
        ('.iteritems()', '.items()', 1),
        ("'([0-9]+).txt' # 'gt_", "'([0-9]+).txt', # 'gt_", 1),
        ("'([0-9]+).txt'# 'res_", "'([0-9]+).txt',# 'res_", 1),
    ],
}
#: ``unicode('...', 'utf-8')`` around a literal -> the literal.
UNICODE_CALL = re.compile(r"unicode\((.*?),\s*([\"'])utf-8\2\)")
UNICODE_CALLS = 5


class RectanglePolygon:
    """``Polygon.Polygon`` for axis-aligned rectangles with integer corners.

    ``len()`` is the number of contours (0 for an empty intersection),
    ``area()`` the area as a float, ``p & q`` the intersection.
    """

    def __init__(self, points=None):
        if points is None:
            self.box = None
            return
        pts = np.asarray(points)
        if pts.shape != (4, 2) or not np.issubdtype(pts.dtype, np.integer):
            raise ValueError(f'RectanglePolygon: need 4 integer points, got '
                             f'{pts.tolist()}')
        edges = pts - np.roll(pts, 1, axis=0)
        if np.any((edges != 0).sum(axis=1) > 1) or \
                len(set(pts[:, 0])) > 2 or len(set(pts[:, 1])) > 2:
            raise ValueError(f'RectanglePolygon: {pts.tolist()} is not an '
                             f'axis-aligned rectangle')
        self.box = (int(pts[:, 0].min()), int(pts[:, 1].min()),
                    int(pts[:, 0].max()), int(pts[:, 1].max()))

    def __len__(self):
        return 0 if self.box is None else 1

    def area(self):
        if self.box is None:
            return 0.0
        x1, y1, x2, y2 = self.box
        return float((x2 - x1) * (y2 - y1))

    def __and__(self, other):
        if self.box is None or other.box is None:
            return RectanglePolygon()
        x1, y1 = max(self.box[0], other.box[0]), max(self.box[1], other.box[1])
        x2, y2 = min(self.box[2], other.box[2]), min(self.box[3], other.box[3])
        if x2 <= x1 or y2 <= y1:
            return RectanglePolygon()
        return RectanglePolygon([[x1, y1], [x1, y2], [x2, y2], [x2, y1]])


def _fixed_source(eval_dir: str, name: str) -> str:
    with open(osp.join(eval_dir, name), encoding='utf-8') as f:
        src = f.read()
    for old, new, count in SOURCE_FIXES[name]:
        if src.count(old) != count:
            raise RuntimeError(f'{name}: expected {count} x {old!r}, found '
                               f'{src.count(old)}')
        src = src.replace(old, new)
    if name == 'script.py':
        src, count = UNICODE_CALL.subn(r'\1', src)
        if count != UNICODE_CALLS:
            raise RuntimeError(f'{name}: expected {UNICODE_CALLS} unicode() '
                               f'calls, found {count}')
    return src


def _exec_module(name: str, src: str, path: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = path
    exec(compile(src, path, 'exec'), module.__dict__)
    return module


@contextmanager
def _modules(**modules):
    saved = {name: sys.modules.get(name) for name in modules}
    sys.modules.update(modules)
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                del sys.modules[name]
            else:
                sys.modules[name] = module


@functools.lru_cache()
def load_script(eval_dir: str = EVAL_DIR) -> types.ModuleType:
    """``script.py`` of ``eval_dir`` as a module, with the fixes above."""
    rrc_path = osp.join(eval_dir, 'rrc_evaluation_funcs.py')
    # rrc_evaluation_funcs appends './' to sys.path when imported.
    with mock.patch.object(sys, 'path', list(sys.path)):
        rrc = _exec_module('rrc_evaluation_funcs',
                           _fixed_source(eval_dir, 'rrc_evaluation_funcs.py'),
                           rrc_path)
    with _modules(rrc_evaluation_funcs=rrc):
        return _exec_module('deeppcb_script',
                            _fixed_source(eval_dir, 'script.py'),
                            osp.join(eval_dir, 'script.py'))


def read_gt_zip(path: str) -> Dict[str, np.ndarray]:
    """``gt.zip`` as ``{image id: (M, 5) x1, y1, x2, y2, type}``."""
    gts = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode('utf-8')
            rows = [line.replace(',', ' ').split()
                    for line in text.splitlines() if line.strip()]
            gts[osp.splitext(name)[0]] = np.asarray(
                rows, dtype=np.float64).reshape(-1, 5)
    return gts


def gt_text(gt: np.ndarray) -> str:
    """Ground-truth lines ``x1,y1,x2,y2,type`` of (M, 5) boxes."""
    return ''.join(f'{int(x1)},{int(y1)},{int(x2)},{int(y2)},'
                   f'{TYPE_NAMES[int(cls)]}\n'
                   for x1, y1, x2, y2, cls in np.reshape(gt, (-1, 5)))


def det_text(det: np.ndarray) -> str:
    """Submission lines ``x1,y1,x2,y2,confidence,type`` of (N, 6) boxes."""
    det = np.reshape(det, (-1, 6))
    if not np.all((det[:, 4] >= 0) & (det[:, 4] <= 1)):
        raise ValueError('det_text: the script reads confidences in [0, 1] '
                         f'only, got {det[:, 4].tolist()}')
    return ''.join(f'{int(x1)},{int(y1)},{int(x2)},{int(y2)},{conf:.6f},'
                   f'{TYPE_NAMES[int(cls)]}\n'
                   for x1, y1, x2, y2, conf, cls in det)


def _write_zip(path: str, texts: Dict[str, str]) -> None:
    with zipfile.ZipFile(path, 'w') as archive:
        for image_id, text in texts.items():
            archive.writestr(f'{image_id}.txt', text)


def run_script(gt_texts: Dict[str, str],
               det_texts: Dict[str, str],
               eval_dir: str = EVAL_DIR) -> dict:
    """The script's ``method`` dict for files given as ``{id: text}``.

    The ground-truth zip holds the files in the order of ``gt_texts``, which
    is the order in which the script ranks tied confidences of different
    images.
    """
    script = load_script(eval_dir)
    params = script.default_evaluation_params()
    params['LTRB'] = True
    with tempfile.TemporaryDirectory() as tmp:
        gt_zip, det_zip = osp.join(tmp, 'gt.zip'), osp.join(tmp, 'res.zip')
        _write_zip(gt_zip, gt_texts)
        _write_zip(det_zip, det_texts)
        polygon = types.ModuleType('Polygon')
        polygon.Polygon = RectanglePolygon
        with _modules(Polygon=polygon):
            script.validate_data(gt_zip, det_zip, params)
            return script.evaluate_method(gt_zip, det_zip, params)['method']


def official_evaluate(gts: Sequence[np.ndarray],
                      dets: Sequence[np.ndarray],
                      image_ids: Sequence[str],
                      eval_dir: str = EVAL_DIR) -> dict:
    """The script's ``precision``, ``recall``, ``hmean`` and ``AP``.

    Args:
        gts, dets: per image, (M, 5) and (N, 6) arrays as in
            :func:`~mmdefect.evaluation.functional.deeppcb_evaluate`.
        image_ids (Sequence[str]): digits, the file names in the zips.
        eval_dir (str): folder with ``script.py`` and
            ``rrc_evaluation_funcs.py``.
    """
    if not len(gts) == len(dets) == len(image_ids):
        raise ValueError(f'official_evaluate: {len(gts)} ground truths, '
                         f'{len(dets)} detections, {len(image_ids)} ids')
    return run_script({i: gt_text(g) for i, g in zip(image_ids, gts)},
                      {i: det_text(d) for i, d in zip(image_ids, dets)},
                      eval_dir)

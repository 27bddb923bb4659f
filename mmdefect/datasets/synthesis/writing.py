"""What every procedural generator here shares: seeds, output folder, workers.

SynLCD (:mod:`.generator`) and SynSurface (:mod:`.synsurface_generator`) own
their rules (split plans, rendering); this module owns the scaffolding
around them, so both write their data sets the same way:

* :func:`split_rng`: sample ``i`` of split ``s`` draws everything from
  ``default_rng(SeedSequence(seed, spawn_key=(splits.index(s), i)))``, with
  the generator's own tuple of splits (SynLCD ``('train', 'test')``,
  SynSurface ``('train', 'val', 'test')``), so files never depend on the
  worker count;
* :func:`prepare_output_dir`: refuses a non-empty folder unless
  ``overwrite``, and then removes only the generator's own outputs;
* :func:`render_all`: one renderer in this process, or one per worker
  process from a fork server (``spawn`` where there is none), OpenCV
  single-threaded, results in plan order;
* :func:`write_manifest`: written atomically (temporary file, then
  ``os.replace``);
* :class:`LineProgress`: progress that stays readable in a log file.
"""
import json
import multiprocessing
import os
import shutil
import sys
import time
from pathlib import Path

import cv2
import numpy as np


def split_rng(seed, splits, split, index):
    """Random generator of sample ``index`` of ``split``.

    Args:
        seed (int): Data set seed.
        splits (Sequence[str]): The generator's splits, in order; the
            position of ``split`` is the first spawn key.
        split (str): The sample's split.
        index (int): The sample's index in its split.

    Returns:
        np.random.Generator: independent of every other sample.
    """
    return np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(splits.index(split), index)))


def check_size(size, min_size):
    """``(height, width)`` from an int or a pair, each ``>= min_size``."""
    if isinstance(size, (int, np.integer)):
        size = (size, size)
    size = tuple(int(s) for s in size)
    if len(size) != 2 or min(size) < min_size:
        raise ValueError(f'size must be an int or (height, width), each '
                         f'>= {min_size}, got {size}')
    return size


def encode_png(image, params):
    """PNG bytes of ``image`` with OpenCV's ``imencode`` ``params``."""
    ok, buf = cv2.imencode('.png', image, params)
    if not ok:
        raise RuntimeError('PNG encoding failed')
    return buf.tobytes()


def prepare_output_dir(out_dir, overwrite, output_dirs, splits, manifest,
                       what):
    """Create ``out_dir/<dir>/<split>`` folders, refusing to overwrite.

    A non-empty ``out_dir`` raises :class:`FileExistsError` unless
    ``overwrite``; then only the generator's own outputs (``output_dirs``
    and ``manifest``) are removed and other files are left alone.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f'output path {out} is not a folder')
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise FileExistsError(
                f'output folder {out} is not empty; refusing to overwrite '
                f'it (pass overwrite=True / --overwrite to replace its '
                f'{what} outputs)')
        for name in output_dirs:
            if (out / name).is_dir():
                shutil.rmtree(out / name)
        if (out / manifest).exists():
            (out / manifest).unlink()
    for name in output_dirs:
        for split in splits:
            (out / name / split).mkdir(parents=True, exist_ok=True)


def worker_context(preload=()):
    """Multiprocessing context for the generators' workers.

    Not ``fork``: OpenCV's thread pool does not survive ``fork()`` and forked
    workers can deadlock in their first cv2 call once the parent has used
    OpenCV. A fork server that preloads ``preload`` (the renderer's module)
    starts workers cheaply and cleanly; ``spawn`` where fork servers are
    unavailable.
    """
    if 'forkserver' in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context('forkserver')
        context.set_forkserver_preload([__name__, *preload])
        return context
    return multiprocessing.get_context('spawn')


_WORKER_RENDERER = None


def _init_worker(renderer_cls, init_args):
    global _WORKER_RENDERER
    cv2.setNumThreads(1)
    _WORKER_RENDERER = renderer_cls(*init_args)


def _render_in_worker(spec):
    return _WORKER_RENDERER(spec)


def render_all(renderer_cls, init_args, specs, workers, progress=None):
    """Render every spec, in this process or in ``workers`` processes.

    Args:
        renderer_cls (type): A module-level class; ``renderer_cls(*init_args)``
            is called once per process and then once per spec, returning the
            spec's manifest record.
        init_args (tuple): Picklable arguments of ``renderer_cls``.
        specs (Sequence): The plan.
        workers (int): Processes (``1`` = this one); capped at ``len(specs)``.
        progress (LineProgress, optional): Updated once per spec.

    Returns:
        list: The records, in the order of ``specs``.
    """
    workers = min(int(workers), max(1, len(specs)))
    records = []

    def collect(results):
        for record in results:
            records.append(record)
            if progress is not None:
                progress.update()

    if workers == 1:
        collect(map(renderer_cls(*init_args), specs))
    else:
        context = worker_context([renderer_cls.__module__])
        chunksize = max(1, min(16, len(specs) // (4 * workers)))
        with context.Pool(workers, _init_worker,
                          (renderer_cls, init_args)) as pool:
            collect(pool.imap(_render_in_worker, specs, chunksize))
    return records


def write_manifest(out_dir, name, manifest):
    """Write ``manifest`` as JSON to ``out_dir/name``, atomically."""
    out_dir = Path(out_dir)
    tmp = out_dir / (name + '.tmp')
    tmp.write_text(json.dumps(manifest, indent=1))
    os.replace(tmp, out_dir / name)
    return manifest


class LineProgress:
    """Progress that stays readable when redirected to a file.

    On a terminal one line is rewritten in place; otherwise a line is
    printed each time another ``step`` percent is done (and at the end), so
    a log never holds one giant line.

    Args:
        total (int): Number of items.
        stream: Where to write; defaults to ``sys.stderr``.
        step (int): Percent between two lines when not on a terminal.
        prefix (str): Text before the counts.
    """

    def __init__(self, total, stream=None, step=10, prefix=''):
        self.total = max(int(total), 1)
        self.stream = sys.stderr if stream is None else stream
        self.step = step
        self.prefix = prefix
        self.done = 0
        self.next_percent = step
        self.start = time.perf_counter()
        isatty = getattr(self.stream, 'isatty', None)
        self.tty = bool(isatty and isatty())

    def _line(self):
        rate = self.done / max(time.perf_counter() - self.start, 1e-9)
        percent = 100 * self.done // self.total
        return (f'{self.prefix}{self.done}/{self.total} ({percent}%), '
                f'{rate:.1f}/s')

    def update(self, count=1):
        self.done += count
        if self.tty:
            self.stream.write('\r' + self._line())
            if self.done >= self.total:
                self.stream.write('\n')
        elif (100 * self.done >= self.next_percent * self.total
              or self.done >= self.total):
            self.stream.write(self._line() + '\n')
            while self.next_percent * self.total <= 100 * self.done:
                self.next_percent += self.step
        self.stream.flush()

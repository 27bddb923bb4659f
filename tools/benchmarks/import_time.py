"""Start-up cost of ``import mmdefect``: wall time and peak memory.

Runs ``python -c STATEMENT`` in fresh interpreters (``--repeat`` times) and
prints the median wall time, the peak resident memory of the child (its
own ``ru_maxrss``, Linux) and which heavy packages the statement pulled in;
``--floor`` also measures what MMSeg's own training needs (its datasets, models and
evaluation), which no add-on can undercut.

    python tools/benchmarks/import_time.py --repeat 5 --floor
"""
import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time

HEAVY = ('torchvision', 'mmpretrain', 'scipy', 'sklearn', 'matplotlib',
         'mmengine.infer', 'mmdefect.apis')
PROBE = ('import resource, sys; print(resource.getrusage('
         'resource.RUSAGE_SELF).ru_maxrss); print(" ".join(m for m in '
         '{heavy!r} if m in sys.modules))')
FLOOR = 'import mmseg.datasets, mmseg.models, mmseg.evaluation'


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--stmt', default='import mmdefect', help='statement to time')
    parser.add_argument(
        '--repeat', type=int, default=3, help='fresh interpreters per '
        'statement (the median is printed)')
    parser.add_argument(
        '--floor', action='store_true', help=f'also time "{FLOOR}"')
    return parser.parse_args()


def measure(stmt):
    """Wall time (s), peak RSS (MB) and heavy modules of one child."""
    code = f'{stmt}\n{PROBE.format(heavy=HEAVY)}'
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, '-c', code],
                          capture_output=True,
                          text=True,
                          env=dict(os.environ, OMP_NUM_THREADS='1'))
    wall = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f'{stmt!r} failed:\n{proc.stderr[-2000:]}')
    rss_kb, modules = proc.stdout.splitlines()[-2:]
    return wall, int(rss_kb) / 1024, modules.split()


def main():
    args = parse_args()
    statements = [args.stmt] + ([FLOOR] if args.floor else [])
    print(f'command: python {" ".join(map(shlex.quote, sys.argv))}')
    for stmt in statements:
        walls, peak, modules = [], 0.0, []
        for _ in range(args.repeat):
            wall, rss, modules = measure(stmt)
            walls.append(wall)
            peak = max(peak, rss)
        print(f'{stmt}: {statistics.median(walls):.2f} s wall (median of '
              f'{args.repeat}, min {min(walls):.2f} s), peak RSS '
              f'{peak:.0f} MB; heavy modules: {", ".join(modules) or "none"}')


if __name__ == '__main__':
    main()

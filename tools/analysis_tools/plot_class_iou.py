"""Per-class IoU bar chart from test metrics, saved as PNG.

    python tools/analysis_tools/plot_class_iou.py WORK_DIR_OR_JSON \
        [--out iou.png] [--metric IoU]

``WORK_DIR_OR_JSON`` is a work dir of ``tools/test.py`` (the newest record
holding ``<metric>.<class>`` keys, as written by ``DefectIoUMetric``, in
its ``<timestamp>/<timestamp>.json`` files, newest timestamp first, as in
``compare_runs.py``) or such a JSON file. The chart shows one bar per
class (percent) and dashed lines for the mean over all classes and over the
defect classes (``m<metric>`` / ``m<metric>_defect``) when the record has
them. Default output: ``<metric>_per_class.png`` next to the JSON file.
"""
import argparse
import glob
import json
import os
import os.path as osp
import sys
from typing import Dict, Optional, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        'source', help='work dir of tools/test.py, or a metrics JSON file')
    parser.add_argument('--out', help='output PNG')
    parser.add_argument(
        '--metric', default='IoU',
        help='per-class metric to plot: IoU, Acc, Fscore, ... (default IoU)')
    parser.add_argument('--title', help='chart title')
    return parser.parse_args(argv)


def _read_records(path: str) -> list:
    with open(path) as f:
        text = f.read()
    try:
        data = json.loads(text)
        return data if isinstance(data, list) else [data]
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def per_class_record(source: str, metric: str = 'IoU') -> Tuple[dict, str]:
    """The newest metrics record with ``<metric>.<class>`` keys and its
    file.

    Raises:
        FileNotFoundError: no such record in ``source``.
    """
    prefix = f'{metric}.'
    if osp.isfile(source):
        files = [source]
    else:
        files = sorted(glob.glob(osp.join(source, '*', '*.json')))
    for path in reversed(files):
        try:
            records = _read_records(path)
        except (OSError, json.JSONDecodeError):
            continue
        for record in reversed(records):
            if isinstance(record, dict) and any(
                    str(k).startswith(prefix) for k in record):
                return record, path
    where = source if osp.isfile(source) else f'{source}/*/*.json'
    raise FileNotFoundError(
        f'no test metrics with "{prefix}<class>" keys in {where}; run '
        f'tools/test.py with DefectIoUMetric first')


def class_values(record: dict, metric: str = 'IoU') -> Dict[str, float]:
    """``{class: value}`` in the record's order."""
    prefix = f'{metric}.'
    return {
        key[len(prefix):]: float(value)
        for key, value in record.items() if str(key).startswith(prefix)
    }


def plot(values: Dict[str, float], out: str, metric: str = 'IoU',
         means: Optional[Dict[str, float]] = None,
         title: Optional[str] = None) -> str:
    """Save the bar chart to ``out``."""
    names = list(values)
    heights = [values[n] for n in names]
    fig, ax = plt.subplots(figsize=(max(4.0, 0.9 * len(names) + 2), 4),
                           dpi=100)
    bars = ax.bar(names, heights, color='tab:blue')
    for bar, value in zip(bars, heights):
        ax.annotate(f'{value:.2f}', (bar.get_x() + bar.get_width() / 2,
                                     bar.get_height()),
                    ha='center', va='bottom', fontsize=8)
    colours = ('tab:red', 'tab:green', 'tab:orange')
    for (label, value), colour in zip((means or {}).items(), colours):
        ax.axhline(value, ls='--', lw=1, color=colour,
                   label=f'{label} {value:.2f}')
    if means:
        ax.legend(fontsize=8, loc='lower right')
    top = max([100.0] + heights)
    ax.set_ylim(0, top * 1.08)
    ax.set_ylabel(f'{metric} (%)')
    ax.set_title(title or f'per-class {metric}')
    plt.setp(ax.get_xticklabels(), rotation=30, ha='right')
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        record, path = per_class_record(args.source, args.metric)
    except FileNotFoundError as err:
        print(f'plot_class_iou: {err}', file=sys.stderr)
        return 1
    values = class_values(record, args.metric)
    means = {
        key: float(record[key])
        for key in (f'm{args.metric}', f'm{args.metric}_defect')
        if key in record
    }
    out = args.out or osp.join(
        osp.dirname(osp.abspath(path)), f'{args.metric}_per_class.png')
    plot(values, out, args.metric, means, args.title)
    print(f'{len(values)} classes from {path}: ' + ', '.join(
        f'{name} {value:.2f}' for name, value in values.items()))
    print(f'saved {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

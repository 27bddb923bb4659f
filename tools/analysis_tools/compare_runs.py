"""Print the test metrics of several work dirs side by side (Markdown).

    python tools/analysis_tools/compare_runs.py CADNet=work_dirs/a \
        SegFormer=work_dirs/b --keys mIoU mIoU_defect IoU.line IoU.abpt

Each work dir's newest ``<timestamp>/<timestamp>.json`` (written by
``tools/test.py``) with the requested keys is used.
"""
import argparse
import glob
import json
import os.path as osp


def latest_metrics(work_dir: str, keys) -> dict:
    """Metrics of the newest test log in ``work_dir`` holding ``keys[0]``."""
    logs = sorted(glob.glob(osp.join(work_dir, '*', '*.json')))
    for path in reversed(logs):
        with open(path) as f:
            records = [json.loads(line) for line in f if line.strip()]
        for record in reversed(records):
            if keys[0] in record:
                return record
    raise FileNotFoundError(f'no test metrics with {keys[0]!r} in '
                            f'{work_dir}/*/*.json; run tools/test.py first')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('runs', nargs='+', help='NAME=WORK_DIR')
    parser.add_argument(
        '--keys', nargs='+',
        default=['mIoU', 'mIoU_defect', 'mAcc', 'mFscore', 'aAcc'])
    args = parser.parse_args(argv)
    print('| model | ' + ' | '.join(args.keys) + ' |')
    print('|---' * (len(args.keys) + 1) + '|')
    for run in args.runs:
        name, work_dir = run.split('=', 1)
        metrics = latest_metrics(work_dir, args.keys)
        cells = [f'{metrics[k]:.2f}' if k in metrics else '-'
                 for k in args.keys]
        print(f'| {name} | ' + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()

"""Shared steps of the SynLCD protocol scripts (cross tests, label fraction).

Each step runs a standard tool (``tools/dataset_converters/synlcd.py``,
``tools/train.py``, ``tools/test.py``) as a subprocess with the current
interpreter and environment (so ``OMP_NUM_THREADS`` and ``nice`` apply), logs
it under the work dir and reuses what an earlier run left there.
"""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFECT_TYPES = ('line', 'abpt')
TYPE_LETTER = dict(line='L', abpt='A')


def add_data_args(parser):
    """Options shared by the protocol scripts: data set and training."""
    parser.add_argument(
        '--data-dir',
        default='data',
        help='folder of synlcd256_line and synlcd256_abpt (generated if '
        'absent; the folder names stay those of the configs whatever '
        '--size is)')
    parser.add_argument(
        '--batch-size',
        type=int,
        default=8,
        help='training batch size (the configs: 8)')
    parser.add_argument(
        '--num-train', type=int, default=280, help='training pairs per set')
    parser.add_argument(
        '--num-test', type=int, default=90, help='test pairs per set')
    parser.add_argument('--size', type=int, default=256, help='image size')
    parser.add_argument(
        '--data-seed', type=int, default=0, help='generator seed')
    parser.add_argument('--seed', type=int, default=0, help='training seed')
    parser.add_argument(
        '--workers', type=int, default=1, help='generator workers')


def data_root(data_dir: str, defect_type: str) -> str:
    """Folder of the one-type SynLCD set (as the base config names it)."""
    return osp.join(data_dir, f'synlcd256_{defect_type}')


def log(msg: str):
    print(f'[{time.strftime("%H:%M:%S")}] {msg}', flush=True)


def run(cmd, log_path: str):
    """Run ``cmd`` (a list) from the repository root, output to a log."""
    os.makedirs(osp.dirname(log_path), exist_ok=True)
    log(' '.join(cmd) + f'  (log: {log_path})')
    with open(log_path, 'a') as f:
        proc = subprocess.run(
            cmd, cwd=REPO, stdout=f, stderr=subprocess.STDOUT)
    if proc.returncode:
        raise RuntimeError(f'{cmd[1]} failed with exit code '
                           f'{proc.returncode}; see {log_path}')


def ensure_data(root: str, defect_type: str, size: int, num_train: int,
                num_test: int, seed: int, workers: int, log_dir: str):
    """Generate the one-type set at ``root`` unless a matching one exists.

    An existing set written with other parameters is an error (it is never
    overwritten); the manifest does not record the seed, which is not
    checked.
    """
    manifest = osp.join(root, 'manifest.json')
    want = dict(
        defect_mix=defect_type,
        size=[size, size],
        num_train=num_train,
        num_test=num_test)
    if osp.isfile(manifest):
        with open(manifest) as f:
            params = json.load(f)['parameters']
        diff = {
            k: (params.get(k), v)
            for k, v in want.items() if params.get(k) != v
        }
        if diff:
            raise ValueError(
                f'{manifest}: existing set differs from the requested one '
                f'(field: (found, wanted)) {diff}; pass another --data-dir')
        log(f'reusing {root}')
        return
    run([
        sys.executable, 'tools/dataset_converters/synlcd.py', root,
        '--defect-mix', defect_type, '--size',
        str(size), '--num-train',
        str(num_train), '--num-test',
        str(num_test), '--seed',
        str(seed), '--workers',
        str(workers)
    ], osp.join(log_dir, f'generate_{defect_type}.log'))


def schedule_options(iters: int, batch_size: int = 8) -> list:
    """``--cfg-options`` of ``iters`` iterations of ``batch_size``.

    Linear warm-up over ``min(50, iters // 10)`` iterations (the configs'
    50 at 600), then poly decay to the end.
    """
    warmup = max(1, min(50, iters // 10))
    return [
        f'train_dataloader.batch_size={batch_size}',
        f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
        f'param_scheduler.0.end={min(warmup, iters)}',
        f'param_scheduler.1.begin={min(warmup, iters)}',
        f'param_scheduler.1.end={iters}',
        f'default_hooks.checkpoint.interval={iters}'
    ]


def root_options(train_root: str, test_root: str) -> list:
    return [
        f'train_dataloader.dataset.data_root={train_root}',
        f'val_dataloader.dataset.data_root={train_root}',
        f'test_dataloader.dataset.data_root={test_root}'
    ]


def train(config: str, work_dir: str, iters: int, options: list) -> str:
    """Train unless ``work_dir/iter_<iters>.pth`` exists; its path."""
    ckpt = osp.join(work_dir, f'iter_{iters}.pth')
    if osp.isfile(ckpt):
        log(f'reusing {ckpt}')
        return ckpt
    run([
        sys.executable, 'tools/train.py', config, '--work-dir', work_dir,
        '--cfg-options', *options
    ], osp.join(work_dir, 'train.log'))
    if not osp.isfile(ckpt):
        raise FileNotFoundError(f'training {config} ended without {ckpt}')
    return ckpt


def latest_metrics(work_dir: str, key: str = 'mIoU') -> dict:
    """Metrics of the newest ``tools/test.py`` log in ``work_dir``."""
    for path in sorted(
            glob.glob(osp.join(work_dir, '*', '*.json')), reverse=True):
        with open(path) as f:
            records = [json.loads(line) for line in f if line.strip()]
        for record in reversed(records):
            if key in record:
                return record
    return None


def test(config: str, checkpoint: str, work_dir: str, options: list) -> dict:
    """Test ``checkpoint`` (reusing an earlier result in ``work_dir``)."""
    metrics = latest_metrics(work_dir)
    if metrics is not None:
        log(f'reusing the test metrics in {work_dir}')
        return metrics
    run([
        sys.executable, 'tools/test.py', config, checkpoint, '--work-dir',
        work_dir, '--cfg-options', *options
    ], osp.join(work_dir, 'test.log'))
    metrics = latest_metrics(work_dir)
    if metrics is None:
        raise FileNotFoundError(f'tools/test.py wrote no metrics to '
                                f'{work_dir}/*/*.json')
    return metrics


def write_new(path: str, text: str) -> str:
    """Write ``text`` to ``path``, or to ``path``'s first free ``-N`` name.

    An existing file is never overwritten; returns the path written.
    """
    stem, ext = osp.splitext(path)
    candidate, n = path, 1
    while osp.exists(candidate):
        candidate = f'{stem}-{n}{ext}'
        n += 1
    os.makedirs(osp.dirname(osp.abspath(candidate)), exist_ok=True)
    with open(candidate, 'x') as f:
        f.write(text)
    return candidate


def write_results(out_dir: str, markdown: str, payload: dict):
    """``results.md`` and ``results.json`` in ``out_dir`` (new names if
    they exist); prints the table."""
    md = write_new(osp.join(out_dir, 'results.md'), markdown)
    out_json = write_new(
        osp.join(out_dir, 'results.json'), json.dumps(payload, indent=1))
    print(markdown)
    log(f'wrote {md} and {out_json}')


def fmt(metrics: dict, key: str) -> str:
    value = (metrics or {}).get(key)
    if value is None:
        return '-'
    if key.endswith('AUROC') or key == 'PRO':
        return f'{value:.3f}'
    return f'{value:.2f}'

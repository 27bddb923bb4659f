"""CPU latency of the defect models: eager PyTorch, ONNX Runtime, ORT int8.

    python tools/benchmarks/latency.py [--quick] [--threads 2] [--runs 20]
        [--sizes 256 512 1024] [--batches 1 8] [--out work_dirs/latency]

Models (random weights, the configs' architectures): SegFormer-B0 (one
image), Siamese-diff MiT-B0, CADNet-B0 without and with the
reference-feature cache (one reference encoded once; eager only), and the
CPU-sized CAT where its config exists. Every path times the same work: the
raw uint8 NHWC pair in, normalisation, the network, the defect score map at
the input size and the image score (``mmdefect.deploy.DefectExportModule``
in eager mode, its exported graph in ONNX Runtime).

All models run in one process and are interleaved run by run, so drifts
in the machine's load hit them alike and the ratios are comparable; the
median of ``--runs`` runs after ``--warmup`` runs is reported. Also: MACs
per image (mmengine's FlopAnalyzer, one fused multiply-add = 1 MAC),
achieved GFLOP/s (2 FLOPs per MAC) against the machine's fp32 matmul peak
measured here (torch, 2048x2048, the same threads), the process's peak
resident memory while the cell ran (VmHWM, reset per run through
``/proc/self/clear_refs``; the process holds every model and session, so
"run RSS" is the peak above the RSS at the start of the run), the ONNX
file sizes, the accuracy change of ORT dynamic int8 quantisation against
ORT fp32, and the issue-15 targets as met/missed. Results:
``OUT/latency.md`` and ``OUT/latency.json``.

Thread waiting: by default both runtimes yield idle threads instead of
spinning (``OMP_WAIT_POLICY=PASSIVE`` for PyTorch's OpenMP, ORT's
``session.intra_op.allow_spinning=0``). On a CPU shared with other jobs a
spinning 2-thread OpenMP pool made eager PyTorch 5-10x slower (a
descheduled thread stalls every parallel region); on a dedicated machine
``--spin`` gives the spinning defaults of both.

``--quick`` is a smoke run (256x256, batch 1, 3 runs).
"""
import argparse
import json
import os
import os.path as osp
import platform
import statistics
import sys
import time

if '--spin' not in sys.argv:  # must precede the OpenMP start in torch
    os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import numpy as np  # noqa: E402
import torch  # noqa: E402

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MODELS = {
    'SegFormer-B0':
    'configs/segformer/segformer_mit-b0_1xb8-30ep_synlcd-512x512.py',
    'Siamese-diff MiT-B0':
    'configs/siamese_diff/siamese-diff_mit-b0_1xb8-30ep_synlcd-512x512.py',
    'CADNet-B0': 'configs/cadnet/cadnet_mit-b0_1xb8-30ep_synlcd-512x512.py',
    'CAT (CPU model)': 'configs/_base_/models/cat_swin-nano_r18-nano.py',
}
CACHED = 'CADNet-B0 + cache'
BASE = 'SegFormer-B0'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', type=int, nargs='+',
                        default=[256, 512, 1024])
    parser.add_argument('--batches', type=int, nargs='+', default=[1, 8])
    parser.add_argument(
        '--batch8-max-size',
        type=int,
        default=512,
        help='largest size timed at batches > 1 (the 1024x1024 batch-8 '
        'cells alone would take over half an hour on 2 cores)')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--runs', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--models', nargs='+', default=None,
                        help=f'subset of {list(MODELS) + [CACHED]}')
    parser.add_argument('--no-int8', action='store_true')
    parser.add_argument(
        '--spin',
        action='store_true',
        help='let OpenMP and ONNX Runtime threads spin while idle (faster '
        'on a dedicated CPU, much slower on a shared one)')
    parser.add_argument('--quick', action='store_true',
                        help='smoke run: 256x256, batch 1, 3 runs')
    parser.add_argument('--out', default='work_dirs/benchmarks/latency')
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.batches, args.runs, args.warmup = [256], [1], 3, 1
    return args


class PeakRSS:
    """Peak resident memory of this process over a stretch of code."""

    def __init__(self):
        self.resettable = os.access('/proc/self/clear_refs', os.W_OK)

    def reset(self) -> float:
        """Reset the peak to the current RSS; return that RSS (MB)."""
        if self.resettable:
            with open('/proc/self/clear_refs', 'w') as f:
                f.write('5')
        return self.read_mb('VmRSS')

    @staticmethod
    def read_mb(key: str = 'VmHWM') -> float:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(key + ':'):
                    return int(line.split()[1]) / 1024.
        return float('nan')


def matmul_peak_gflops(threads: int, n: int = 2048, repeat: int = 7) -> float:
    """Best fp32 matmul throughput of torch on ``threads`` threads."""
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    best = float('inf')
    for _ in range(repeat):
        start = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


class Cell:
    """One model x backend x size x batch: a callable and its timings."""

    def __init__(self, model, backend, size, batch, fn, macs):
        self.model, self.backend = model, backend
        self.size, self.batch = size, batch
        self.fn, self.macs = fn, macs
        self.times, self.rss, self.extra = [], 0., 0.

    def run(self, peak: PeakRSS):
        before = peak.reset()
        start = time.perf_counter()
        self.fn()
        self.times.append(time.perf_counter() - start)
        self.rss = max(self.rss, peak.read_mb())
        self.extra = max(self.extra, self.rss - before)

    @property
    def median_ms(self):
        return statistics.median(self.times) * 1e3

    def row(self, peak_gflops):
        gflops = (2 * self.macs * self.batch / (self.median_ms / 1e3) /
                  1e9 if self.macs else float('nan'))
        return dict(
            model=self.model,
            backend=self.backend,
            size=self.size,
            batch=self.batch,
            median_ms=self.median_ms,
            ms_per_image=self.median_ms / self.batch,
            gmac_per_image=self.macs / 1e9 if self.macs else None,
            gflops=gflops,
            pct_peak=100 * gflops / peak_gflops,
            peak_rss_mb=self.rss,
            extra_rss_mb=self.extra,
            runs=len(self.times))


def count_macs(module, inputs) -> float:
    from mmengine.analysis import FlopAnalyzer
    analyzer = FlopAnalyzer(module, inputs)
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    return float(analyzer.total())


class _Cached(torch.nn.Module):
    """The cached path as a module (for the MAC count)."""

    def __init__(self, module, ref_feats):
        super().__init__()
        self.module, self.ref_feats = module, ref_feats

    def forward(self, inspected):
        return self.module(inspected, ref_feats=self.ref_feats)


def build_models(names):
    from mmdefect.deploy import DefectExportModule, load_model
    from mmdefect.deploy.export import is_paired
    from mmdefect.evaluation.score_rule import ScoreRule
    built = {}
    for name in names:
        if name == CACHED:
            continue
        config = osp.join(REPO, MODELS[name])
        if not osp.exists(config):
            print(f'skipping {name}: {MODELS[name]} does not exist')
            continue
        torch.manual_seed(0)
        model, _, _ = load_model(config, None,
                                 {'model.backbone.init_cfg': None})
        module = DefectExportModule(
            model, ScoreRule(), paired=is_paired(model)).eval()
        built[name] = (model, module)
    return built


def export(name, model, size, workdir, dynamic_batch):
    from mmdefect.deploy import export_model
    path = osp.join(workdir, f'{name.replace(" ", "_")}_{size}.onnx')
    info = export_model(
        model,
        path,
        shape=(size, size),
        overwrite=True,
        verify=dynamic_batch is None,
        dynamic_batch=dynamic_batch)
    return path, info


def ort_session(path, threads, spin=False):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry('session.intra_op.allow_spinning',
                                     '1' if spin else '0')
    options.graph_optimization_level = \
        ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(
        path, options, providers=['CPUExecutionProvider'])


def ort_fn(session, img, ref, fixed_batch):
    feeds = dict(inspected=img, reference=ref)
    if not fixed_batch:
        return lambda: session.run(None, feeds)

    def loop():  # a graph with a fixed batch of 1: one call per pair
        for i in range(img.shape[0]):
            session.run(None, dict(inspected=img[i:i + 1],
                                   reference=ref[i:i + 1]))

    return loop


def int8_accuracy(fp32, int8, img, ref, threshold=0.5):
    a = fp32.run(None, dict(inspected=img, reference=ref))
    b = int8.run(None, dict(inspected=img, reference=ref))
    return dict(
        max_abs_score_diff=float(np.abs(a[0] - b[0]).max()),
        pixel_decisions_equal=float(
            ((a[0] >= threshold) == (b[0] >= threshold)).mean()),
        image_decisions_equal=bool(
            np.array_equal(a[1] >= threshold, b[1] >= threshold)),
        max_abs_image_score_diff=float(np.abs(a[1] - b[1]).max()))


def main(argv=None):
    args = parse_args(argv)
    os.chdir(REPO)
    sys.path.insert(0, REPO)
    torch.set_num_threads(args.threads)
    names = args.models or list(MODELS) + [CACHED]
    workdir = osp.abspath(args.out)
    os.makedirs(workdir, exist_ok=True)
    peak_gflops = matmul_peak_gflops(args.threads)
    print(f'fp32 matmul peak ({args.threads} threads): {peak_gflops:.1f} '
          'GFLOP/s', flush=True)
    built = build_models([n for n in names if n != CACHED] + (
        ['CADNet-B0'] if CACHED in names else []))
    want_ort = {n for n in names if n in built}
    if CACHED in names and 'CADNet-B0' not in names:
        want_ort.discard('CADNet-B0')
    rng = np.random.default_rng(0)
    fixed_batch, file_mb, int8_acc, rows = {}, {}, {}, []
    peak = PeakRSS()
    for size in args.sizes:
        sessions = {}
        for name in sorted(want_ort):
            model = built[name][0]
            t0 = time.perf_counter()
            learned = fixed_batch.get(name)  # verified at the first size
            path, info = export(name, model, size, workdir,
                                None if learned is None else not learned)
            fixed_batch[name] = info['metadata']['batch_size'] == 1
            file_mb[f'{name} {size}'] = info['size_bytes'] / 2**20
            sessions[name] = {
                'ORT fp32': ort_session(path, args.threads, args.spin)
            }
            if not args.no_int8:
                from onnxruntime.quantization import (QuantType,
                                                      quantize_dynamic)
                qpath = path.replace('.onnx', '_int8.onnx')
                quantize_dynamic(path, qpath, weight_type=QuantType.QInt8)
                sessions[name]['ORT int8'] = ort_session(
                    qpath, args.threads, args.spin)
                file_mb[f'{name} {size} int8'] = osp.getsize(qpath) / 2**20
            print(f'exported {name} at {size}: '
                  f'{info["size_bytes"] / 2**20:.1f} MB in '
                  f'{time.perf_counter() - t0:.0f} s', flush=True)
        macs = {}
        probe = torch.from_numpy(
            rng.integers(0, 256, (1, size, size, 3), dtype=np.uint8))
        with torch.no_grad():
            for name, (model, module) in built.items():
                if name in names:
                    macs[name] = count_macs(module, (probe, probe))
                if name == 'CADNet-B0' and CACHED in names:
                    cache = module.encode_reference(probe)
                    macs[CACHED] = count_macs(_Cached(module, cache),
                                              (probe, ))
        for batch in args.batches:
            if batch > 1 and size > args.batch8_max_size:
                continue
            img = rng.integers(0, 256, (batch, size, size, 3),
                               dtype=np.uint8)
            ref = rng.integers(0, 256, (batch, size, size, 3),
                               dtype=np.uint8)
            timg, tref = torch.from_numpy(img), torch.from_numpy(ref)
            cells = []
            for name, (model, module) in built.items():
                if name in names:
                    cells.append(
                        Cell(name, 'eager', size, batch,
                             lambda m=module: m(timg, tref), macs[name]))
                if name == 'CADNet-B0' and CACHED in names:
                    with torch.no_grad():
                        cache = module.encode_reference(tref[:1])
                    cells.append(
                        Cell(CACHED, 'eager', size, batch,
                             lambda m=module, c=cache: m(timg, ref_feats=c),
                             macs[CACHED]))
            for name, by_backend in sessions.items():
                for backend, session in by_backend.items():
                    cells.append(
                        Cell(name, backend, size, batch,
                             ort_fn(session, img, ref, fixed_batch[name]),
                             macs.get(name)))
                if 'ORT int8' in by_backend and batch == 1:
                    int8_acc[f'{name} {size}'] = int8_accuracy(
                        by_backend['ORT fp32'], by_backend['ORT int8'], img,
                        ref)
            with torch.no_grad():
                for _ in range(args.warmup):
                    for cell in cells:
                        cell.run(peak)
                for cell in cells:
                    cell.times.clear()
                for round_ in range(args.runs):
                    for cell in cells:
                        cell.run(peak)
                    if (round_ + 1) % 5 == 0:
                        print(f'{size}^2 b{batch}: {round_ + 1}/{args.runs} '
                              'runs', flush=True)
            for cell in cells:
                rows.append(cell.row(peak_gflops))
                r = rows[-1]
                print(f'{r["model"]:<22s} {r["backend"]:<9s} {size:>5d}^2 '
                      f'b{batch}: {r["median_ms"]:9.1f} ms '
                      f'({r["gflops"]:6.1f} GFLOP/s, '
                      f'{r["peak_rss_mb"]:6.0f} MB)', flush=True)
    report = dict(
        command='python tools/benchmarks/latency.py ' +
        ' '.join(argv if argv is not None else sys.argv[1:]),
        machine=dict(
            cpu=platform.processor() or platform.machine(),
            cores=os.cpu_count(),
            threads=args.threads,
            spinning=bool(args.spin),
            omp_wait_policy=os.environ.get('OMP_WAIT_POLICY'),
            torch=torch.__version__,
            load_average=os.getloadavg()),
        matmul_peak_gflops=peak_gflops,
        runs=args.runs,
        warmup=args.warmup,
        rows=rows,
        onnx_file_mb=file_mb,
        int8_accuracy=int8_acc,
        targets=targets(rows, file_mb))
    write_report(report, workdir)


def _ms(rows, model, backend, size, batch=1):
    key = (model, backend, size, batch)
    for r in rows:
        if (r['model'], r['backend'], r['size'], r['batch']) == key:
            return r['median_ms']
    return None


def targets(rows, file_mb):
    """The issue-15 targets (512x512, batch 1) as met / missed."""
    out = []

    def add(name, value, limit, fmt, ok):
        if value is None:
            out.append(dict(target=name, value=None, met='not measured'))
        else:
            out.append(
                dict(
                    target=name,
                    value=fmt.format(value),
                    met='reported' if ok is None else
                    ('met' if ok else 'missed')))

    seg = _ms(rows, BASE, 'eager', 512)
    cache = _ms(rows, CACHED, 'eager', 512)
    cad = _ms(rows, 'CADNet-B0', 'eager', 512)
    cad_ort = _ms(rows, 'CADNet-B0', 'ORT fp32', 512)
    ratio = cache / seg if cache and seg else None
    add('CADNet-B0 + cache eager <= 1.15x SegFormer-B0 eager (512, b1)',
        ratio, 1.15, '{:.2f}x', ratio is not None and ratio <= 1.15)
    ratio = cad / seg if cad and seg else None
    add('CADNet-B0 without cache / SegFormer-B0 (reported, 512, b1)', ratio,
        None, '{:.2f}x', None)
    ratio = cad_ort / cad if cad_ort and cad else None
    add('CADNet-B0 ORT <= 0.6x eager (512, b1)', ratio, 0.6, '{:.2f}x',
        ratio is not None and ratio <= 0.6)
    for r in rows:
        if r['backend'] == 'ORT fp32' and r['size'] == 512 and \
                r['batch'] == 1:
            add(f'{r["model"]} ORT >= 25 % of the fp32 matmul peak',
                r['pct_peak'], 25, '{:.1f} %', r['pct_peak'] >= 25)
    for r in rows:
        if r['size'] == 1024 and r['batch'] == 1:
            small = _ms(rows, r['model'], r['backend'], 512)
            ratio = r['median_ms'] / small if small else None
            add(f'{r["model"]} {r["backend"]}: time 1024 <= 4.6x time 512',
                ratio, 4.6, '{:.2f}x', ratio is not None and ratio <= 4.6)
    size = file_mb.get('CADNet-B0 512')
    add('CADNet-B0 ONNX file <= 20 MB (fp32)', size, 20, '{:.1f} MB',
        size is not None and size <= 20)
    return out


def write_report(report, workdir):
    lines = [
        f'Command: `{report["command"]}`', '',
        f'Machine: {report["machine"]["cores"]} cores, '
        f'{report["machine"]["threads"]} threads (idle threads '
        f'{"spin" if report["machine"]["spinning"] else "yield"}), torch '
        f'{report["machine"]["torch"]}, load average at the end '
        f'{", ".join(f"{v:.1f}" for v in report["machine"]["load_average"])}'
        f' (other jobs share the CPU); fp32 matmul peak '
        f'{report["matmul_peak_gflops"]:.1f} GFLOP/s; median of '
        f'{report["runs"]} runs after {report["warmup"]} warm-up runs.', '',
        '| model | backend | size | batch | median ms | ms/image | '
        'GMAC/image | GFLOP/s | % peak | peak RSS MB | run RSS MB |',
        '|---|---|---|---|---|---|---|---|---|---|---|'
    ]
    for r in report['rows']:
        gmac = (f'{r["gmac_per_image"]:.2f}'
                if r['gmac_per_image'] is not None else '-')
        lines.append(
            f'| {r["model"]} | {r["backend"]} | {r["size"]} | {r["batch"]} '
            f'| {r["median_ms"]:.1f} | {r["ms_per_image"]:.1f} | {gmac} | '
            f'{r["gflops"]:.1f} | {r["pct_peak"]:.1f} | '
            f'{r["peak_rss_mb"]:.0f} | {r["extra_rss_mb"]:.0f} |')
    if report['int8_accuracy']:
        lines += [
            '', 'ORT dynamic int8 vs ORT fp32 (random pair, batch 1, '
            'threshold 0.5):', '',
            '| model size | max abs score diff | pixel decisions equal | '
            'image decision equal |', '|---|---|---|---|'
        ]
        for key, acc in report['int8_accuracy'].items():
            lines.append(
                f'| {key} | {acc["max_abs_score_diff"]:.4f} | '
                f'{100 * acc["pixel_decisions_equal"]:.3f} % | '
                f'{acc["image_decisions_equal"]} |')
    lines += ['', 'ONNX files (MB): ' + ', '.join(
        f'{k} {v:.1f}' for k, v in report['onnx_file_mb'].items())]
    lines += ['', '| target | value | met |', '|---|---|---|']
    for t in report['targets']:
        lines.append(f'| {t["target"]} | {t["value"]} | {t["met"]} |')
    text = '\n'.join(lines) + '\n'
    with open(osp.join(workdir, 'latency.md'), 'w') as f:
        f.write(text)
    with open(osp.join(workdir, 'latency.json'), 'w') as f:
        json.dump(report, f, indent=1)
    print(text)


if __name__ == '__main__':
    main()

"""Calibrate the defect threshold on validation data and store it in a copy
of the checkpoint.

    python tools/analysis_tools/calibrate_threshold.py CONFIG CHECKPOINT \
        [--method quantile --q 0.999 | --method f1] [--level pixel|image] \
        [--split val] [--out NEW.pth] [--binning exact]

A thin front end over :class:`~mmdefect.evaluation.AnomalyMetric`: the
model runs over the config's ``--split`` dataloader
(:func:`~mmdefect.evaluation.model_evaluation.evaluate_split`, the loop of
``tools/test.py``) and the metric computes the threshold from its streaming
histograms, so memory does not grow with the number of pixels. The same
``AnomalyMetric(thresholds=[...])`` in a config's ``test_evaluator`` gives
the same value under ``tools/test.py``.

* ``--method quantile`` (default): the ``q``-quantile (inverted CDF) of the
  scores of the defect-free images (no defect pixel in their label):
  pixel scores for ``--level pixel``, image scores for ``--level image``.
* ``--method f1``: the F1-optimal threshold on all labelled images. On data
  without any defect it falls back, with a warning, to a value just above
  the highest score.

The scores (``--score-key``, ``--image-score``, ``--topk``) and the binning
(``--binning``, ...) default to those of the ``AnomalyMetric`` in the
config's evaluator of that split (else ``AnomalyMetric``'s defaults with
``--score-key auto``). Pixel thresholds are bin edges: exact with
``--binning exact``, otherwise at the binning's resolution (the record's
``bin_upper`` bounds the exact quantile). Image thresholds are exact.

The result goes to ``meta['defect_threshold']`` and its record (level,
method, q, score rule, split, ...) to ``meta['defect_threshold_info']`` of a
NEW checkpoint, by default ``<checkpoint>_calibrated.pth``; an existing file
is never overwritten. ``DefectInferencer`` reads it back with
:func:`mmdefect.evaluation.read_threshold`, which refuses another score
rule or level.
"""
import argparse
import math
import sys

from _anomaly_eval_cli import (add_model_args, evaluation_kwargs,
                               load_config, metric_kwargs)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_model_args(parser, 'val')
    parser.add_argument(
        '--method', '--mode', dest='method', choices=['quantile', 'f1'],
        default='quantile',
        help='quantile of defect-free scores (default), or F1-optimal')
    parser.add_argument(
        '--q', type=float, default=0.999,
        help='quantile for --method quantile (default 0.999)')
    parser.add_argument(
        '--level', choices=['pixel', 'image'], default='pixel',
        help='threshold pixel scores (default) or image scores')
    parser.add_argument(
        '--out', help='new checkpoint (default <checkpoint>_calibrated.pth)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not 0.0 <= args.q <= 1.0:
        print(f'--q must be in [0, 1], got {args.q}', file=sys.stderr)
        return 2
    from mmdefect.evaluation import AnomalyMetric
    from mmdefect.evaluation.model_evaluation import evaluate_split
    from mmdefect.evaluation.threshold_record import (
        default_output, output_problem, write_threshold_checkpoint)
    out = args.out or default_output(args.checkpoint)
    problem = output_problem(args.checkpoint, out)
    if problem:
        print(f'calibrate_threshold: {problem}', file=sys.stderr)
        return 1
    cfg = load_config(args)
    spec = dict(method=args.method, level=args.level)
    if args.method == 'quantile':
        spec['q'] = args.q
    try:
        metric = AnomalyMetric(thresholds=[spec], **metric_kwargs(cfg, args))
        evaluate_split(cfg, args.checkpoint, metric,
                       **evaluation_kwargs(args))
    except (KeyError, ValueError) as err:
        print(f'calibrate_threshold: {err}', file=sys.stderr)
        return 1
    (key, ), errors = metric.threshold_specs, metric.calibration_errors
    if key in errors:
        print(f'calibrate_threshold: {errors[key]}', file=sys.stderr)
        return 1
    info = dict(metric.calibrated[key], split=args.split)
    write_threshold_checkpoint(args.checkpoint, out, info)
    extra = (f'q={info["q"]}, {info["num_normal_images"]} defect-free images'
             if args.method == 'quantile' else
             'F1 undefined: no defect, value above the highest score'
             if math.isnan(info['f1']) else f'F1={info["f1"]:.4f}')
    print(f'threshold {info["value"]!r} ({args.level} {args.method}, {extra}, '
          f'{info["num_images"]} {args.split} images, score rule '
          f'{info["score_rule"]}, binning {info["binning"]})')
    print(f'written to {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""Export an mmdefect model to ONNX: raw image pair in, defect scores out.

    python tools/deployment/pytorch2onnx.py CONFIG CHECKPOINT OUT.onnx \
        [--shape H W] [--dynamic-shape] [--opset N] [--input-dtype uint8]

The graph takes the raw inspected and reference images (NHWC, BGR as
OpenCV loads them, uint8 or float32 0-255) and contains the data
preprocessor's normalisation, the model, the defect score map at the input
size and the image score of the score rule; the checkpoint's calibrated
threshold and the class names travel in the file's metadata. The file is
written only after ``onnx.checker`` and an ONNX Runtime comparison with
PyTorch passed; an existing OUT is kept unless ``--overwrite``.
"""
import argparse
import json
import sys

from mmengine.config import DictAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Export an mmdefect model (with pre- and '
        'post-processing) to ONNX')
    parser.add_argument('config', help='config file')
    parser.add_argument(
        'checkpoint',
        help="checkpoint file, or 'none' for a parameter-free model or a "
        'random-weight smoke test')
    parser.add_argument('out', help='output .onnx file')
    parser.add_argument(
        '--shape',
        type=int,
        nargs=2,
        default=[512, 512],
        metavar=('H', 'W'),
        help='input height and width (traced; fixed unless --dynamic-shape)')
    parser.add_argument(
        '--dynamic-shape',
        action='store_true',
        help='dynamic height and width (the batch is always dynamic)')
    parser.add_argument('--opset', type=int, default=17, help='ONNX opset')
    parser.add_argument(
        '--input-dtype',
        choices=['uint8', 'float32'],
        default='uint8',
        help='dtype of the image inputs (float32: 0-255, not normalised)')
    parser.add_argument(
        '--image-score',
        choices=['max', 'topk_mean'],
        default=None,
        help='image-score rule (default: the one the checkpoint threshold '
        "was calibrated with, else 'max')")
    parser.add_argument(
        '--topk',
        type=float,
        default=100,
        help="for topk_mean: pixels (>= 1) or a fraction of them (< 1)")
    parser.add_argument(
        '--no-verify',
        action='store_true',
        help='skip the ONNX Runtime comparison with PyTorch')
    parser.add_argument(
        '--overwrite', action='store_true', help='replace an existing OUT')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from mmdefect.deploy import ExportError, export_model, load_model
    from mmdefect.evaluation.score_rule import ScoreRule
    rule = None
    if args.image_score is not None:
        topk = int(args.topk) if args.topk >= 1 else float(args.topk)
        rule = ScoreRule(image_score=args.image_score, topk=topk)
    checkpoint = None if args.checkpoint.lower() == 'none' else \
        args.checkpoint
    try:
        model, meta, dataset_meta = load_model(args.config, checkpoint,
                                               args.cfg_options)
        info = export_model(
            model,
            args.out,
            shape=args.shape,
            dynamic=args.dynamic_shape,
            opset=args.opset,
            input_dtype=args.input_dtype,
            score_rule=rule,
            checkpoint_meta=meta,
            dataset_meta=dataset_meta,
            source=(args.config, checkpoint),
            overwrite=args.overwrite,
            verify=not args.no_verify)
    except (ExportError, FileExistsError, ImportError, ValueError) as err:
        print(f'pytorch2onnx: error: {err}', file=sys.stderr)
        return 1
    meta = info['metadata']
    print(f"wrote {info['path']} ({info['size_bytes'] / 2**20:.2f} MB), "
          f"family {meta['model_family']}, input "
          f"{meta['input_shape'] or 'dynamic'} {meta['input_dtype']} NHWC "
          f"BGR, threshold {meta['defect_threshold']}")
    if info['max_abs_diff']:
        print('ONNX Runtime vs PyTorch, max |score difference|: ' +
              json.dumps(info['max_abs_diff']))
    return 0


if __name__ == '__main__':
    sys.exit(main())

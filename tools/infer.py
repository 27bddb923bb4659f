"""Segment defects in image pairs with a trained model.

    python tools/infer.py CONFIG CHECKPOINT --img INSPECTED --ref REFERENCE \
        [--out-dir DIR] [--threshold T] [--batch-size N]

``--img``/``--ref`` are two image files or two folders (images are paired
by relative path, or by relative folder and file stem). One line per pair
is printed: the image score (maximum of the defect-score map), the
decision ``DEFECT``/``ok`` against the threshold, and the defect area; or
``ERROR`` and the reason. The threshold is ``--threshold``, else the one
stored in the checkpoint by ``calibrate_threshold.py``, else 0.5.
``--out-dir`` receives the panels (``vis/``) and class masks (``pred/``).
The exit code is non-zero only if every pair failed.
"""
import argparse
import sys

from mmdefect.apis import add_inferencer_args, build_inferencer


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_inferencer_args(parser)
    parser.add_argument(
        '--img', required=True, help='inspected image or folder')
    parser.add_argument(
        '--ref', required=True, help='reference image or folder')
    parser.add_argument(
        '--out-dir', help='write panels (vis/) and masks (pred/) here')
    parser.add_argument(
        '--threshold', type=float,
        help='defect-score threshold (default: checkpoint, else 0.5)')
    parser.add_argument(
        '--batch-size', type=int, default=1, help='pairs per forward pass')
    return parser.parse_args(argv)


def summarise(results: dict) -> str:
    """One line per pair, then the totals."""
    errors = {e['index']: e['message'] for e in results['errors']}
    lines = []
    for index, (img, ref) in enumerate(results['pairs']):
        if results['image_scores'][index] is None:
            lines.append(f'ERROR   {img}  (ref {ref}): {errors.get(index)}')
            continue
        verdict = 'DEFECT' if results['is_defective'][index] else 'ok'
        area = float(results['defect_masks'][index].mean()) * 100
        score = results['image_scores'][index]
        line = (f'{verdict:<7s} {img}  score={score:.4f}  '
                f'defect_area={area:.2f}%')
        if index in errors:
            line += f'  (warning: {errors[index]})'
        lines.append(line)
    done = sum(score is not None for score in results['image_scores'])
    flagged = sum(bool(flag) for flag in results['is_defective'])
    lines.append(
        f'{len(results["pairs"])} pairs: {done} processed, {flagged} '
        f'defective, {len(results["pairs"]) - done} failed (threshold '
        f'{results["threshold"]:.6g} from {results["threshold_source"]})')
    return '\n'.join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    inferencer = build_inferencer(args, threshold=args.threshold)
    results = inferencer((args.img, args.ref),
                         batch_size=args.batch_size,
                         out_dir=args.out_dir)
    print(summarise(results))
    if args.out_dir:
        print(f'panels and masks written to {args.out_dir}')
    failed = all(score is None for score in results['image_scores'])
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

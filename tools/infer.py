"""Segment defects in image pairs with a trained model.

    python tools/infer.py CONFIG CHECKPOINT --img INSPECTED --ref REFERENCE \
        [--out-dir DIR [--overwrite]] [--threshold T] [--batch-size N]

``--img``/``--ref`` are two image files or two folders (paired as
``BasePairedDataset`` pairs them: same relative path, else the only
reference with the same relative stem). One line per pair: ``DEFECT`` or
``ok`` with the image score and the defect area, or ``ERROR`` and the
reason; then a summary. The threshold is ``--threshold``, else the one
``calibrate_threshold.py`` stored in the checkpoint (for the config's score
rule at ``--threshold-level``), else 0.5. ``--out-dir`` receives the panels
(``vis/``) and masks (``pred/``); existing files of those names are refused
unless ``--overwrite``, which replaces them. A checkpoint that does not fit
the model is refused unless ``--allow-mismatched-checkpoint``. The exit code
is 1 if any pair failed, 2 if nothing could run.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)),
                            'analysis_tools'))
from _inferencer_args import add_model_flags, load_config  # noqa: E402

MISMATCH_FLAG = '--allow-mismatched-checkpoint'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_model_flags(parser)
    parser.add_argument(
        '--img', required=True, help='inspected image or folder')
    parser.add_argument(
        '--ref', required=True, help='reference image or folder')
    parser.add_argument(
        '--out-dir', help='write panels (vis/) and masks (pred/) here')
    parser.add_argument(
        '--overwrite', action='store_true',
        help='replace existing output files of the same names')
    parser.add_argument(
        '--threshold', type=float,
        help='defect-score threshold (default: checkpoint, else 0.5)')
    parser.add_argument(
        '--threshold-level', choices=['pixel', 'image'], default='pixel',
        help='level the checkpoint\'s threshold must be calibrated at')
    parser.add_argument(
        '--batch-size', type=int, default=1, help='pairs per forward pass')
    parser.add_argument(
        MISMATCH_FLAG, action='store_true',
        help='load a checkpoint that does not fit the model (missing, '
        'unexpected or other-shaped weights keep their initial values)')
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error(f'--batch-size must be >= 1, got {args.batch_size}')
    return args


def summarise(results, threshold: float, source: str) -> str:
    """One line per pair, then the totals."""
    lines = []
    for result in results:
        img, ref = result.pair
        if not result.ok:
            lines.append(f'ERROR   {img}  (ref {ref}): {result.error}')
            continue
        verdict = 'DEFECT' if result.is_defective else 'ok'
        lines.append(f'{verdict:<7s} {img}  score={result.image_score:.4f}  '
                     f'defect_area={result.defect_mask.mean() * 100:.2f}%')
    done = sum(result.ok for result in results)
    flagged = sum(bool(r.ok and r.is_defective) for r in results)
    written = sum(len(result.out_files) for result in results)
    lines.append(
        f'{len(results)} pairs: {done} processed, {flagged} defective, '
        f'{len(results) - done} failed (threshold {threshold:.6g} from '
        f'{source}); {written} output files written')
    return '\n'.join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    from mmdefect.apis import DefectInferencer
    from mmdefect.engine import CheckpointMismatchError
    try:
        inferencer = DefectInferencer(
            load_config(args), args.checkpoint, device=args.device,
            threshold=args.threshold, threshold_level=args.threshold_level,
            show_progress=not args.no_progress,
            strict_checkpoint=not args.allow_mismatched_checkpoint)
        results = inferencer((args.img, args.ref),
                             batch_size=args.batch_size,
                             out_dir=args.out_dir or '',
                             overwrite=args.overwrite)
    except (OSError, TypeError, ValueError) as err:
        hint = (f' (here: {MISMATCH_FLAG})'
                if isinstance(err, CheckpointMismatchError) else '')
        print(f'infer: {err}{hint}', file=sys.stderr)
        return 2
    print(summarise(results, inferencer.threshold,
                    inferencer.threshold_source))
    return 0 if all(result.ok for result in results) else 1


if __name__ == '__main__':
    sys.exit(main())

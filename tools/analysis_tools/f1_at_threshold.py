"""Precision, recall and F1 of fixed thresholds on saved evaluation curves.

    python tools/analysis_tools/f1_at_threshold.py CURVES.npz \
        --pixel 0.5 0.73 --image 0.5 0.91

``CURVES.npz`` is what ``AnomalyMetric(curves_out=...)`` writes during
``tools/test.py`` (or ``plot_curves.py``): the merged pixel histogram and the
image scores with their labels. Pixel results are exact with
``binning='exact'``; with coarser binning the bin holding a threshold counts
as below it. The rule is the score layer's: defective when
``score >= threshold``.
"""
import argparse

import numpy as np

from mmdefect.evaluation.functional import (confusion_at_threshold,
                                            counts_from_scores)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('curves', help='curves .npz of AnomalyMetric')
    parser.add_argument('--pixel', type=float, nargs='*', default=[],
                        help='pixel thresholds')
    parser.add_argument('--image', type=float, nargs='*', default=[],
                        help='image thresholds')
    args = parser.parse_args(argv)
    try:
        data = np.load(args.curves)
        pixel = (data['pixel_edges'], data['pixel_pos'], data['pixel_neg'])
        image = counts_from_scores(data['image_scores'],
                                   data['image_labels'])
    except (OSError, KeyError, ValueError) as err:
        parser.error(f'{args.curves}: not a curves file of AnomalyMetric '
                     f'({err})')
    print('| level | threshold | precision | recall | F1 |')
    print('|---|---|---|---|---|')
    for level, counts, thresholds in (('pixel', pixel, args.pixel),
                                      ('image', image, args.image)):
        for threshold in thresholds:
            out = confusion_at_threshold(*counts, threshold)
            print(f'| {level} | {threshold:.6g} | {out["precision"]:.4f} | '
                  f'{out["recall"]:.4f} | {out["f1"]:.4f} |')


if __name__ == '__main__':
    main()

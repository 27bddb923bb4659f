"""tools/dataset_converters/deeppcb.py as a user runs it (subprocesses)."""
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from mmdefect.datasets.functional import deeppcb as rules
from mmdefect.testing import (DEEPPCB_PCBDATA, DEEPPCB_ROOT, HAS_DEEPPCB,
                              run_tool)

CONVERTER = 'tools/dataset_converters/deeppcb.py'
needs_deeppcb = pytest.mark.skipif(
    not HAS_DEEPPCB, reason=f'DeepPCB copy not found at {DEEPPCB_ROOT}')


@needs_deeppcb
def test_convert_limit_and_refuses_to_overwrite(tmp_path):
    out = str(tmp_path / 'labels')
    printed = run_tool([CONVERTER, DEEPPCB_ROOT, out, '--limit', '3',
                        '--splits', 'test'])
    assert 'test: 3 pairs' in printed and 'pin_hole' in printed
    entries = rules.read_split(osp.join(DEEPPCB_PCBDATA, 'test.txt'))[:3]
    for entry in entries:
        path = osp.join(out, 'ann_dir', rules.label_rel_path(entry.img))
        label = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        test, temp = (cv2.imread(p, cv2.IMREAD_GRAYSCALE)
                      for p in rules.pair_paths(DEEPPCB_PCBDATA, entry.img))
        expected, _ = rules.derive_label(
            test, temp,
            rules.read_boxes(osp.join(DEEPPCB_PCBDATA, entry.boxes)))
        np.testing.assert_array_equal(label, expected)
        assert label.any()
    with open(osp.join(out, 'label_stats.json')) as f:
        stats = json.load(f)['splits']['test']
    assert stats['pairs'] == 3
    assert sum(stats['pixels'].values()) == 3 * 640 * 640
    refused = run_tool([CONVERTER, DEEPPCB_ROOT, out, '--limit', '1'],
                       expect_ok=False)
    assert 'not empty' in refused and '--overwrite' in refused
    kept = osp.join(out, 'keep.txt')
    open(kept, 'w').close()
    run_tool([CONVERTER, DEEPPCB_PCBDATA, out, '--splits', 'test', '--limit',
              '1', '--overwrite'])
    assert osp.isfile(kept)
    assert sum(len(files) for _, _, files in os.walk(osp.join(
        out, 'ann_dir'))) == 1


def test_unknown_layout_is_reported(tmp_path):
    out = run_tool([CONVERTER, str(tmp_path), str(tmp_path / 'out')],
                   expect_ok=False)
    assert 'error:' in out and 'trainval.txt' in out

"""The inferencer's input records, output planning, failure messages and
result filling, without a model."""
import os
import pathlib

import cv2
import numpy as np
import pytest

from mmdefect.apis import PairResult
from mmdefect.apis.pair_inputs import (PairInput, array_problem,
                                       describe_failure, fill_result,
                                       min_input_side, plan_outputs,
                                       to_pair_inputs)
from mmdefect.evaluation import ScoreRule


def test_records_and_unique_names():
    img = np.zeros((4, 4, 3), np.uint8)
    records = to_pair_inputs([('x/a.png', 'r/a.png'),
                              (pathlib.Path('y/a.jpg'), 'r/a.jpg'),
                              (img, img), (img, 'r/b.png')])
    assert [r.out_name for r in records] == [
        'a', 'a_000001', 'array_000002', 'array_000003'
    ]
    assert records[1].img == os.path.join('y', 'a.jpg')
    assert records[2].names == ('<array 4x4x3>', '<array 4x4x3>')
    assert records[3].pipeline_input() == dict(img=img, ref_path='r/b.png')
    assert records[0].pipeline_input() == dict(img_path='x/a.png',
                                               ref_path='r/a.png')
    np.testing.assert_array_equal(records[3].rgb('img'), img[..., ::-1])
    assert records[3].rgb('ref', arrays_only=True) is None
    assert [r.index for r in to_pair_inputs(('a.png', 'b.png'))] == [0]
    with pytest.raises(TypeError, match='input 1'):
        to_pair_inputs([('a.png', 'b.png'), ('c.png', )])


@pytest.mark.parametrize('array,expected', [
    (np.zeros((4, 4, 3), np.uint16), 'inspected array is uint16'),
    (np.zeros((4, 4, 3), np.float64), 'inspected array is float64'),
    (np.zeros((4, 4, 3), bool), 'inspected array is bool'),
    (np.zeros((4, 4), np.uint8), 'has shape (4, 4); expected HxWx3'),
    (np.zeros((4, 4, 3), np.uint8), None),
])
def test_only_uint8_bgr_arrays(array, expected):
    problem = array_problem('inspected', array, 3)
    assert problem == expected if expected is None else expected in problem
    [record] = to_pair_inputs((array, np.zeros((4, 4, 3), np.uint8)))
    assert record.error == problem


def test_plan_outputs_refuses_or_removes_only_planned_files(tmp_path):
    records = to_pair_inputs([('i/a.png', 'r/a.png'), ('i/b.png', 'r/b.png')])
    dirs = dict(vis=str(tmp_path / 'vis'), pred=str(tmp_path / 'pred'))
    plan_outputs(records, dirs, overwrite=False)  # nothing there yet
    assert records[1].out_files == dict(vis=str(tmp_path / 'vis' / 'b.png'),
                                        pred=str(tmp_path / 'pred' / 'b.png'))
    (tmp_path / 'pred').mkdir()
    for name in ('b.png', 'other.png'):
        (tmp_path / 'pred' / name).write_bytes(b'old')
    with pytest.raises(FileExistsError, match='pred/b.png'):
        plan_outputs(records, dirs, overwrite=False)
    assert (tmp_path / 'pred' / 'b.png').read_bytes() == b'old'
    plan_outputs(records, dirs, overwrite=True)
    assert sorted(os.listdir(tmp_path / 'pred')) == ['other.png']


def test_min_input_side_and_failure_messages():
    calls = []

    def run(img):
        calls.append(img.shape[0])
        if img.shape[0] < 29:
            raise RuntimeError("Kernel size can't be greater than actual "
                               'input size')

    assert min_input_side(run) == 29
    assert len(calls) < 12  # doubling to 32, then bisection
    names = ('i.png', 'r.png')
    small = describe_failure(
        RuntimeError("Kernel size can't be greater than actual input size"),
        names, (8, 16), lambda: 29)
    assert small.startswith('i.png (ref r.png): RuntimeError: Kernel')
    assert small.endswith('the pair is 16x8 but the model needs at least 29 '
                          'pixels per side')
    big = describe_failure(
        RuntimeError("DefaultCPUAllocator: can't allocate memory"), names)
    assert 'model.test_cfg.mode=slide' in big
    named = describe_failure(FileNotFoundError('r.png is missing'), names)
    assert named == 'FileNotFoundError: r.png is missing'


def test_fill_result_decides_and_writes(tmp_path):
    record = PairInput(0, 'i.png', 'r.png', 'i',
                       out_files=dict(pred=str(tmp_path / 'pred' / 'i.png')))
    result = PairResult(0, record.names)
    scores = np.array([[0.1, 0.7], [0.3, 0.9]], np.float32)
    fill_result(result, record, scores, ScoreRule('auto', 'topk_mean', 2),
                0.5)
    assert result.image_score == pytest.approx(0.8)
    np.testing.assert_array_equal(result.defect_mask,
                                  [[False, True], [False, True]])
    assert result.is_defective and result.ok and result.pred_mask is None
    saved = cv2.imread(record.written['pred'], cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(saved, [[0, 1], [0, 1]])

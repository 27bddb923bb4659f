"""OrtDefectInferencer against DefectInferencer on a trained toy model."""
import builtins
import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest

from mmdefect.testing import TOY_CONFIG, single_thread, toy_checkpoint

pytest.importorskip('onnxruntime')
from mmdefect.apis import DefectInferencer, PairResult  # noqa: E402
from mmdefect.deploy import (OrtDefectInferencer, OrtRunner,  # noqa: E402
                             export_model, load_model)


@pytest.fixture(scope='module')
def files(toy_root, tmp_path_factory):
    checkpoint = toy_checkpoint(toy_root, tmp_path_factory)
    out = str(tmp_path_factory.mktemp('ort') / 'toy.onnx')
    with single_thread():
        model, meta, dataset_meta = load_model(TOY_CONFIG, checkpoint)
        export_model(model, out, shape=(64, 64), checkpoint_meta=meta,
                     dataset_meta=dataset_meta)
    return checkpoint, out


def test_same_results_as_pytorch_on_folders(files, toy_root):
    checkpoint, onnx_file = files
    pair = (osp.join(toy_root, 'img_dir', 'test'),
            osp.join(toy_root, 'ref_dir', 'test'))
    with single_thread():
        eager = DefectInferencer(TOY_CONFIG, checkpoint,
                                 show_progress=False)(pair, batch_size=2)
        ort = OrtDefectInferencer(onnx_file, num_threads=1)(pair,
                                                            batch_size=3)
    assert len(ort) == len(eager) == 4
    for a, b in zip(ort, eager):
        assert isinstance(a, PairResult) and a.ok and b.ok
        assert a.pair == b.pair and a.index == b.index
        assert np.abs(a.score_map - b.score_map).max() <= 1e-4
        assert (a.defect_mask == b.defect_mask).mean() >= 0.9999
        assert a.is_defective == b.is_defective
        assert abs(a.image_score - b.image_score) <= 1e-4
        assert (a.pred_mask == b.pred_mask).mean() >= 0.9999
        assert a.threshold == b.threshold == 0.5


def test_per_pair_errors_and_outputs(files, toy_root, tmp_path):
    _, onnx_file = files
    img_dir, ref_dir = tmp_path / 'img', tmp_path / 'ref'
    shutil.copytree(osp.join(toy_root, 'img_dir', 'test'), img_dir)
    shutil.copytree(osp.join(toy_root, 'ref_dir', 'test'), ref_dir)
    os.remove(ref_dir / '0001.png')  # no reference
    (img_dir / '0002.png').write_bytes(b'not a png')  # unreadable
    small = cv2.imread(str(ref_dir / '0003.png'))[:32]
    cv2.imwrite(str(ref_dir / '0003.png'), small)  # size mismatch
    inferencer = OrtDefectInferencer(onnx_file, num_threads=1)
    results = inferencer((str(img_dir), str(ref_dir)), batch_size=4,
                         out_dir=str(tmp_path / 'out'))
    assert [r.ok for r in results] == [True, False, False, False]
    assert 'no reference' in results[1].error
    assert '0002.png' in results[2].error
    assert 'differ in size' in results[3].error
    pred = tmp_path / 'out' / 'pred' / '0000.png'
    assert results[0].out_files == {'pred': str(pred)}
    np.testing.assert_array_equal(
        cv2.imread(str(pred), cv2.IMREAD_UNCHANGED), results[0].pred_mask)
    with pytest.raises(FileExistsError):
        inferencer((str(img_dir), str(ref_dir)),
                   out_dir=str(tmp_path / 'out'))
    # a static graph refuses another size, naming the fix
    big = np.zeros((96, 64, 3), np.uint8)
    [result] = inferencer((big, big))
    assert 'exported for 64x64' in result.error
    assert '--dynamic-shape' in result.error
    with pytest.raises(ValueError, match='threshold'):
        OrtDefectInferencer(onnx_file, threshold=float('nan'))


def test_missing_onnxruntime_says_how_to_install(files, monkeypatch):
    real_import = builtins.__import__

    def no_ort(name, *args, **kwargs):
        if name == 'onnxruntime':
            raise ImportError('No module named onnxruntime')
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, '__import__', no_ort)
    with pytest.raises(ImportError, match='pip install onnxruntime'):
        OrtRunner(files[1])


def test_file_without_mmdefect_metadata_is_refused(tmp_path):
    import onnx
    from onnx import TensorProto, helper
    graph = helper.make_graph(
        [helper.make_node('Identity', ['x'], ['y'])], 'g',
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1])])
    path = str(tmp_path / 'plain.onnx')
    onnx.save(helper.make_model(graph), path)
    with pytest.raises(ValueError, match='no mmdefect metadata'):
        OrtRunner(path)
    with pytest.raises(FileNotFoundError):
        OrtRunner(str(tmp_path / 'missing.onnx'))

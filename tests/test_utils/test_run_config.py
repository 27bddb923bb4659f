import pytest
import torch
import torch.distributed as dist

from mmdefect.utils import count_params_checked, release_dist


def test_release_dist_destroys_the_group_and_is_a_noop_without_one(tmp_path):
    release_dist()  # no group: nothing to do, no error
    dist.init_process_group(
        backend='gloo', init_method=f'file://{tmp_path / "store"}', rank=0,
        world_size=1)
    assert dist.is_initialized()
    release_dist()
    assert not dist.is_initialized()


def test_count_params_checked_refuses_weights_without_checkpoint():
    layer = torch.nn.Linear(3, 2)
    assert count_params_checked(layer, 'w.pth', 'cfg.py') == 8
    with pytest.raises(ValueError, match=r'cfg.py: the model has 8 '
                       r'parameters, so a checkpoint is required'):
        count_params_checked(layer, None, 'cfg.py')
    assert count_params_checked(torch.nn.Identity(), None, 'cfg.py') == 0


def test_paired_models_are_recognised_by_their_class_attribute():
    from mmseg.models import EncoderDecoder

    from mmdefect.models.segmentors import (ClassicalDiffSegmentor,
                                            SiameseEncoderDecoder)
    from mmdefect.utils import is_paired_model
    assert is_paired_model('SiameseEncoderDecoder')
    assert is_paired_model(dict(type='ClassicalDiffSegmentor'))
    assert is_paired_model(SiameseEncoderDecoder)
    assert not is_paired_model(EncoderDecoder)
    assert not is_paired_model('EncoderDecoder')

    class MyPairedModel(EncoderDecoder):
        paired_input = True

    assert is_paired_model(MyPairedModel)
    assert is_paired_model(dict(type=MyPairedModel))
    assert ClassicalDiffSegmentor.paired_input


def test_set_prediction_output_handles_lists_and_anomaly_only_configs():
    from mmengine.config import Config

    from mmdefect.utils import set_prediction_output
    cfg = Config(dict(test_evaluator=[
        dict(type='DefectIoUMetric', iou_metrics=['mIoU']),
        dict(type='AnomalyMetric')
    ]))
    assert set_prediction_output(cfg, 'preds') == ['DefectIoUMetric']
    assert cfg.test_evaluator[0]['output_dir'] == 'preds'
    assert cfg.test_evaluator[0]['keep_results']
    assert 'output_dir' not in cfg.test_evaluator[1]
    single = Config(dict(test_evaluator=dict(type='IoUMetric')))
    assert set_prediction_output(single, 'p') == ['IoUMetric']
    assert single.test_evaluator['output_dir'] == 'p'
    anomaly = Config(dict(test_evaluator=dict(type='AnomalyMetric')))
    assert set_prediction_output(anomaly, 'p') == ['IoUMetric']
    assert anomaly.test_evaluator[1] == dict(
        type='IoUMetric', format_only=True, output_dir='p',
        keep_results=True)


def test_fresh_work_dir_check_names_the_files_and_overwrite_deletes(
        tmp_path):
    from mmdefect.utils import check_fresh_work_dir
    assert check_fresh_work_dir(str(tmp_path / 'new')) == []
    (tmp_path / 'iter_2.pth').write_bytes(b'x')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_2.pth'))
    (tmp_path / 'notes.txt').write_text('kept')
    with pytest.raises(FileExistsError,
                       match=r'holds checkpoints of an earlier run '
                       r'\(iter_2\.pth, last_checkpoint\).*--resume.*'
                       r'--overwrite'):
        check_fresh_work_dir(str(tmp_path))
    assert (tmp_path / 'iter_2.pth').exists()
    deleted = check_fresh_work_dir(str(tmp_path), overwrite=True)
    assert len(deleted) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ['notes.txt']

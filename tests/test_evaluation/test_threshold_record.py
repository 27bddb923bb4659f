"""The threshold record of a checkpoint: written with its score rule and
level, read back only by a consumer with a compatible rule."""
import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader

from mmdefect.evaluation.score_rule import ScoreRule
from mmdefect.evaluation.threshold_record import (INFO_KEY, THRESHOLD_KEY,
                                                  default_output,
                                                  read_threshold,
                                                  recorded_rule,
                                                  threshold_info,
                                                  write_threshold_checkpoint)

LOGITS_MAX = ScoreRule('seg_logits', 'max')
LOGITS_TOPK = ScoreRule('seg_logits', 'topk_mean', 10)


def meta_of(value=0.25, level='pixel', rule=LOGITS_MAX, **kwargs):
    info = threshold_info(value, level, 'quantile', rule, q=0.99,
                          split='val', num_images=4, **kwargs)
    return {THRESHOLD_KEY: value, INFO_KEY: info}


def test_round_trip_and_compatible_rules():
    meta = meta_of()
    value, info = read_threshold(meta, LOGITS_MAX, 'pixel')
    assert value == 0.25
    assert info['q'] == 0.99 and info['split'] == 'val'
    assert ScoreRule.from_dict(info['score_rule']) == LOGITS_MAX
    # A pixel threshold does not depend on the image-score rule; 'auto'
    # matches either explicit source.
    assert read_threshold(meta, LOGITS_TOPK, 'pixel')[0] == 0.25
    assert read_threshold(meta, ScoreRule('auto'), 'pixel')[0] == 0.25
    image = meta_of(0.5, 'image', LOGITS_TOPK)
    assert read_threshold(image, LOGITS_TOPK, 'image')[0] == 0.5
    assert recorded_rule(image) == LOGITS_TOPK
    assert recorded_rule({THRESHOLD_KEY: 0.5}) is None
    assert read_threshold({}, LOGITS_MAX, 'pixel') == (None, None)
    assert read_threshold(None, LOGITS_MAX, 'image') == (None, None)


def test_mismatches_are_refused_with_both_rules_named():
    with pytest.raises(ValueError, match='pixel-level threshold.*image level'):
        read_threshold(meta_of(), LOGITS_MAX, 'image')
    with pytest.raises(ValueError,
                       match="'seg_logits'.*this run uses.*'anomaly_map'"):
        read_threshold(meta_of(), ScoreRule('anomaly_map'), 'pixel', 'x.pth')
    image = meta_of(0.5, 'image', LOGITS_TOPK)
    with pytest.raises(ValueError, match='from x.pth.*topk_mean.*recalib'):
        read_threshold(image, LOGITS_MAX, 'image', 'x.pth')
    with pytest.raises(ValueError, match='topk'):
        read_threshold(image, ScoreRule('seg_logits', 'topk_mean', 11),
                       'image')


def test_malformed_records():
    with pytest.raises(ValueError, match='no .*defect_threshold_info.*recal'):
        read_threshold({THRESHOLD_KEY: 0.3}, LOGITS_MAX, 'pixel')
    meta = meta_of()
    meta[THRESHOLD_KEY] = 0.3
    with pytest.raises(ValueError, match='differs'):
        read_threshold(meta, LOGITS_MAX, 'pixel')
    meta = meta_of()
    meta[THRESHOLD_KEY] = 'high'
    with pytest.raises(ValueError, match='finite number'):
        read_threshold(meta, LOGITS_MAX, 'pixel')
    meta = meta_of()
    del meta[INFO_KEY]['level']
    with pytest.raises(ValueError, match=r"lacks the fields \['level'\]"):
        read_threshold(meta, LOGITS_MAX, 'pixel')
    meta = meta_of()
    meta[INFO_KEY]['score_rule'] = dict(source='logits')
    with pytest.raises(ValueError, match='not a valid ScoreRule'):
        read_threshold(meta, LOGITS_MAX, 'pixel')
    with pytest.raises(ValueError, match='not a valid ScoreRule'):
        recorded_rule(meta)
    with pytest.raises(ValueError, match='level'):
        read_threshold(meta_of(), LOGITS_MAX, 'region')
    for bad in [dict(value=float('inf')), dict(level='box'),
                dict(method='otsu')]:
        args = dict(value=0.1, level='pixel', method='f1',
                    score_rule=LOGITS_MAX)
        args.update(bad)
        with pytest.raises(ValueError):
            threshold_info(**args)


def test_checkpoint_copy_never_overwrites(tmp_path):
    source = tmp_path / 'model.pth'
    torch.save(dict(state_dict=dict(w=torch.ones(2)),
                    meta=dict(defect_threshold_mode='quantile')), source)
    before = source.read_bytes()
    out = default_output(str(source))
    assert out == str(tmp_path / 'model_calibrated.pth')
    info = meta_of(0.125)[INFO_KEY]
    write_threshold_checkpoint(str(source), out, info)
    ckpt = CheckpointLoader.load_checkpoint(out, map_location='cpu')
    assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    assert 'defect_threshold_mode' not in ckpt['meta']  # legacy key
    value, stored = read_threshold(ckpt['meta'], LOGITS_MAX, 'pixel', out)
    assert value == 0.125
    assert stored['source_checkpoint'] == str(source)
    written = open(out, 'rb').read()
    with pytest.raises(FileExistsError, match='already exists'):
        write_threshold_checkpoint(str(source), out, info)
    with pytest.raises(FileExistsError, match='is the input checkpoint'):
        write_threshold_checkpoint(str(source), str(source), info)
    with pytest.raises(FileExistsError, match='not found'):
        write_threshold_checkpoint(str(tmp_path / 'none.pth'),
                                   str(tmp_path / 'x.pth'), info)
    assert open(out, 'rb').read() == written
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        'model.pth', 'model_calibrated.pth']


@pytest.mark.parametrize('umask,mode', [(0o022, 0o644), (0o077, 0o600)])
def test_calibrated_checkpoint_gets_the_mode_the_umask_allows(
        tmp_path, umask, mode):
    """Before: 0600 whatever the umask (mkstemp), unreadable for the group
    of a shared work dir (issue 14 item 6)."""
    import os
    import stat
    source = tmp_path / 'model.pth'
    torch.save(dict(state_dict=dict(w=torch.ones(2))), source)
    out = tmp_path / 'model_calibrated.pth'
    old = os.umask(umask)
    try:
        write_threshold_checkpoint(str(source), str(out),
                                   meta_of(0.5)[INFO_KEY])
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(out).st_mode) == mode

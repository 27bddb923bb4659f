import json
import runpy
import sys

import pytest

from mmdefect.testing import REPO_ROOT, run_tool

SCRIPT = f'{REPO_ROOT}/tools/dataset_converters/synsurface.py'


def _run_main(argv):
    old = sys.argv
    sys.argv = [SCRIPT] + [str(a) for a in argv]
    try:
        runpy.run_path(SCRIPT, run_name='__main__')
    finally:
        sys.argv = old


def test_cli_end_to_end_with_redirected_progress(tmp_path):
    out = tmp_path / 'synsurface'
    output = run_tool([
        SCRIPT,
        str(out), '--num-train', '20', '--num-val', '5', '--num-test', '6',
        '--size', '40', '48', '--seed', '7'
    ])
    assert 'wrote 31 images' in output
    assert 'val: scratch 1, pit 0, stain 0, crack 0, normal 4' in output
    progress = [line for line in output.splitlines() if 'SynSurface:' in line]
    assert len(progress) == 10 and '\r' not in output
    manifest = json.loads((out / 'manifest.json').read_text())
    assert manifest['seed'] == 7 and manifest['parameters']['size'] == [40, 48]
    for split, count in (('train', 20), ('val', 5), ('test', 6)):
        for folder in ('img_dir', 'ann_dir'):
            assert len(list((out / folder / split).glob('*.png'))) == count


@pytest.mark.parametrize('argv, message', [
    (['--num-train', '0'], '--num-train: must be >= 1, got 0'),
    (['--num-val', 'x'], "--num-val: expected an integer, got 'x'"),
    (['--num-test', '1'], '--num-test: must be >= 2'),
    (['--size', '16'], '--size: must be >= 32'),
    (['--size', '32', '32', '32'], '--size takes one or two values'),
    (['--workers', '0'], '--workers: must be >= 1'),
])
def test_cli_argument_errors(tmp_path, capsys, argv, message):
    with pytest.raises(SystemExit) as err:
        _run_main([tmp_path / 'x'] + argv)
    assert err.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / 'x').exists()


def test_cli_never_overwrites_without_flag(tmp_path, capsys):
    out = tmp_path / 'data'
    args = [
        out, '--num-train', '3', '--num-val', '1', '--num-test', '2', '--size',
        '32'
    ]
    _run_main(args)
    before = (out / 'manifest.json').read_bytes()
    with pytest.raises(SystemExit, match='not empty.*--overwrite'):
        _run_main(args + ['--seed', '1'])
    assert (out / 'manifest.json').read_bytes() == before
    _run_main(args + ['--seed', '1', '--overwrite'])
    assert json.loads((out / 'manifest.json').read_text())['seed'] == 1

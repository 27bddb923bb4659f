import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / 'tools' / 'dataset_converters' / 'synlcd.py'


def _run_main(argv):
    old = sys.argv
    sys.argv = [str(SCRIPT)] + [str(a) for a in argv]
    try:
        runpy.run_path(str(SCRIPT), run_name='__main__')
    finally:
        sys.argv = old


def test_cli_end_to_end_subprocess(tmp_path):
    out = tmp_path / 'synlcd'
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (env.get('PYTHONPATH'), str(REPO)) if p)
    cmd = [
        sys.executable,
        str(SCRIPT),
        str(out), '--num-train', '8', '--num-test', '4', '--size', '40', '48',
        '--seed', '5', '--holdout-patterns', '0', '1', '--defect-mix', 'line'
    ]
    result = subprocess.run(
        cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert 'wrote 12 samples' in result.stdout
    manifest = json.loads((out / 'manifest.json').read_text())
    assert manifest['seed'] == 5
    params = manifest['parameters']
    assert params['size'] == [40, 48] and params['defect_mix'] == 'line'
    assert params['test_patterns'] == [0, 1]
    assert params['counts']['train'] == dict(
        line=4, abpt=0, mixed=0, defect_free=4)
    for folder in ('img_dir', 'ref_dir', 'ann_dir'):
        assert len(list((out / folder / 'train').glob('*.png'))) == 8
        assert len(list((out / folder / 'test').glob('*.png'))) == 4


def test_cli_overwrite_and_pattern_dir(tmp_path, grey_pattern_dir, capsys):
    out = tmp_path / 'synlcd'
    args = [
        out, '--num-train', '4', '--num-test', '2', '--size', '32',
        '--pattern-dir', grey_pattern_dir, '--workers', '1'
    ]
    _run_main(args)
    with pytest.raises(FileExistsError, match='--overwrite'):
        _run_main(args)
    _run_main(args + ['--overwrite', '--holdout-patterns', '0'])
    manifest = json.loads((out / 'manifest.json').read_text())
    assert manifest['parameters']['test_patterns'] == [0]
    assert manifest['parameters']['pattern_source'] == str(grey_pattern_dir)
    assert 'train patterns [1]' in capsys.readouterr().out


def test_cli_rejects_bad_size(tmp_path):
    with pytest.raises(SystemExit):
        _run_main([tmp_path / 'x', '--size', '32', '32', '32'])


@pytest.mark.parametrize('argv, message', [
    (['--size', '8'], '--size 8: size must be an int or (height, width), '
     'each >= 16'),
    (['--size', '64', '4'], '--size 64 4: size must be'),
    (['--num-train', '0'], '--num-train 0: must be at least 1'),
    (['--num-test', '-2'], '--num-test -2: must be at least 1'),
    (['--workers', '0'], '--workers 0: must be at least 1'),
])
def test_cli_bad_values_are_argparse_errors(tmp_path, capsys, argv,
                                            message):
    """Before: --num-train 0 wrote an empty split without a word and a bad
    --size ended in a ValueError traceback."""
    with pytest.raises(SystemExit) as err:
        _run_main([tmp_path / 'x'] + argv)
    assert err.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / 'x').exists()


def test_cli_progress_is_one_line_per_step_when_redirected(tmp_path):
    """Before: mmengine's bar wrote every update with '\\r' into one giant
    line of the log."""
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / 's'), '--num-train',
         '20', '--num-test', '10', '--size', '32'],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert '\r' not in proc.stdout
    lines = proc.stdout.splitlines()
    progress = [line for line in lines if line.startswith('SynLCD: ')]
    assert len(progress) == 10
    assert progress[-1].startswith('SynLCD: 30/30 (100%)')
    assert max(len(line) for line in lines) < 120

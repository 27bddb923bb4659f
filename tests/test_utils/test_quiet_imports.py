import subprocess
import sys

from mmdefect.utils.quiet_imports import ONEDL_NOTICE, onedl_notice_silenced


def test_only_the_onedl_notice_is_dropped(capsys):
    with onedl_notice_silenced():
        print(ONEDL_NOTICE)
        print('kept line')
        print(ONEDL_NOTICE)
    assert capsys.readouterr().out == 'kept line\n'


def test_import_mmdefect_is_quiet_and_leaves_the_inferencer_out():
    """Before: "Could not import OneDL" twice on stdout of every command,
    and the inferencer's imports (mmengine.infer) on every import."""
    code = ('import sys, mmdefect\n'
            'from mmseg.registry import MODELS\n'
            'assert MODELS.get("SiameseEncoderDecoder") is not None\n'
            'print(sorted(m for m in ("mmdefect.apis", "mmengine.infer") '
            'if m in sys.modules))\n'
            'from mmdefect.apis import DefectInferencer\n'
            'print(DefectInferencer.__name__)\n')
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert ONEDL_NOTICE not in proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == ['[]', 'DefectInferencer']

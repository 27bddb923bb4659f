"""The repository's import rules: library code and tests never import from
``tools/`` (tools run as subprocesses or through ``runpy``) and nothing
imports from ``tests`` (shared helpers live in ``mmdefect.testing``)."""
import ast
import glob
import os.path as osp

from mmdefect.testing import REPO_ROOT

FORBIDDEN = ('tools', 'tests')


def forbidden_imports(path):
    """``(line, module)`` of every import of ``tools``/``tests`` in
    ``path``; relative imports inside ``tests/`` count as ``tests``."""
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), path)
    in_tests = osp.relpath(path, REPO_ROOT).startswith('tests' + osp.sep)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level and in_tests:
                modules = ['tests' + '.' * node.level + (node.module or '')]
            elif node.level:
                continue
            else:
                modules = [node.module or '']
        else:
            continue
        found += [(node.lineno, m) for m in modules
                  if m.split('.')[0] in FORBIDDEN]
    return found


def test_forbidden_imports_are_found(tmp_path):
    path = tmp_path / 'example.py'
    path.write_text('import os\nfrom tools.analysis_tools import x\n'
                    'import tests.conftest\n# from tools import y\n')
    assert forbidden_imports(str(path)) == [(2, 'tools.analysis_tools'),
                                            (3, 'tests.conftest')]


def test_library_and_tests_do_not_import_tools_or_tests():
    offenders = []
    for folder in ('mmdefect', 'tests'):
        for path in sorted(
                glob.glob(osp.join(REPO_ROOT, folder, '**', '*.py'),
                          recursive=True)):
            offenders += [
                f'{osp.relpath(path, REPO_ROOT)}:{line} imports {module}'
                for line, module in forbidden_imports(path)
            ]
    assert not offenders, '\n'.join(offenders)

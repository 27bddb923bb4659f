import io

import cv2
import numpy as np
import pytest

from mmdefect.datasets.synthesis import (LineProgress, sample_rng,
                                         surface_rng)
from mmdefect.datasets.synthesis.writing import (check_size, encode_png,
                                                 prepare_output_dir,
                                                 render_all, split_rng,
                                                 write_manifest)


def _draws(rng):
    return rng.integers(0, 2**31, size=4).tolist()


def test_split_rng_keeps_each_generators_seed_tuple():
    # the files of a given seed stay the same: SynLCD's splits are
    # ('train', 'test'), SynSurface's ('train', 'val', 'test')
    def by_hand(split_index):
        return np.random.default_rng(
            np.random.SeedSequence(7, spawn_key=(split_index, 3)))

    assert _draws(sample_rng(7, 'test', 3)) == _draws(by_hand(1))
    assert _draws(surface_rng(7, 'test', 3)) == _draws(by_hand(2))
    assert _draws(split_rng(7, ('a', 'b'), 'b', 3)) == _draws(
        sample_rng(7, 'test', 3))
    assert _draws(split_rng(7, ('a', 'b'), 'b', 3)) != _draws(
        split_rng(7, ('a', 'b'), 'b', 4))


def test_check_size():
    assert check_size(40, 16) == (40, 40)
    assert check_size(np.int64(20), 16) == (20, 20)
    assert check_size([32, 48], 32) == (32, 48)
    with pytest.raises(ValueError, match=r'each >= 32, got \(32, 31\)'):
        check_size((32, 31), 32)
    with pytest.raises(ValueError, match='size must be an int or'):
        check_size((16, 16, 16), 16)


def test_encode_png_round_trip():
    image = np.arange(48, dtype=np.uint8).reshape(4, 4, 3)
    data = encode_png(image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    np.testing.assert_array_equal(decoded, image)


def test_prepare_output_dir_keeps_the_users_files(tmp_path):
    prepare_output_dir(tmp_path, False, ('img_dir', ), ('train', 'test'),
                       'manifest.json', 'Toy')
    assert (tmp_path / 'img_dir' / 'train').is_dir()
    assert (tmp_path / 'img_dir' / 'test').is_dir()
    (tmp_path / 'img_dir' / 'train' / 'old.png').write_bytes(b'x')
    (tmp_path / 'manifest.json').write_text('{}')
    (tmp_path / 'notes.txt').write_text('mine')
    with pytest.raises(FileExistsError, match='replace its Toy outputs'):
        prepare_output_dir(tmp_path, False, ('img_dir', ), ('train', ),
                           'manifest.json', 'Toy')
    prepare_output_dir(tmp_path, True, ('img_dir', ), ('train', ),
                       'manifest.json', 'Toy')
    assert not (tmp_path / 'img_dir' / 'train' / 'old.png').exists()
    assert not (tmp_path / 'manifest.json').exists()
    assert (tmp_path / 'notes.txt').read_text() == 'mine'
    target = tmp_path / 'a_file'
    target.write_text('')
    with pytest.raises(NotADirectoryError, match='a_file is not a folder'):
        prepare_output_dir(target, True, ('img_dir', ), ('train', ),
                           'manifest.json', 'Toy')


class _Doubler:

    def __init__(self, offset):
        self.offset = offset

    def __call__(self, spec):
        return dict(spec=spec, value=2 * spec + self.offset)


def test_render_all_in_process_keeps_the_plan_order():
    log = io.StringIO()
    bar = LineProgress(3, log, step=50)
    records = render_all(_Doubler, (1, ), [5, 0, 2], workers=4,
                         progress=bar)
    assert records == [
        dict(spec=5, value=11),
        dict(spec=0, value=1),
        dict(spec=2, value=5)
    ]
    assert bar.done == 3
    assert render_all(_Doubler, (0, ), [], workers=2) == []


def test_write_manifest_is_atomic(tmp_path):
    (tmp_path / 'm.json').write_text('old')
    manifest = write_manifest(tmp_path, 'm.json', dict(seed=3))
    assert manifest == dict(seed=3)
    assert (tmp_path / 'm.json').read_text() == '{\n "seed": 3\n}'
    assert [p.name for p in tmp_path.iterdir()] == ['m.json']


class _Terminal(io.StringIO):

    def isatty(self):
        return True


def test_line_progress_never_one_giant_line():
    log = io.StringIO()
    bar = LineProgress(250, log, step=10, prefix='x: ')
    for _ in range(250):
        bar.update()
    lines = log.getvalue().splitlines()
    assert len(lines) == 10 and '\r' not in log.getvalue()
    assert lines[0].startswith('x: 25/250 (10%)')
    assert lines[-1].startswith('x: 250/250 (100%)')
    tty = _Terminal()
    bar = LineProgress(5, tty)
    for _ in range(5):
        bar.update()
    assert tty.getvalue().count('\r') == 5
    assert tty.getvalue().endswith('\n') and tty.getvalue().count('\n') == 1

"""Say which of a sample's files is the problem."""
import os.path as osp
from typing import Mapping, Sequence

SAMPLE_FILE_KEYS = ('img_path', 'ref_path', 'seg_map_path')


def describe_empty_files(info: Mapping,
                         keys: Sequence[str] = SAMPLE_FILE_KEYS) -> str:
    """``'ref_path /d/r.png is an empty file (0 bytes)'`` for each local
    file of ``info`` that exists and is empty, joined by ``'; '``; ``''``
    when there is none.

    A zero-byte image fails deep inside the decoder (OpenCV's
    ``!buf.empty()``, PIL's "cannot identify image file") with no name;
    this names the file among the sample's paths.
    """
    notes = []
    for key in keys:
        path = info.get(key)
        if isinstance(path, str) and osp.isfile(path) and \
                osp.getsize(path) == 0:
            notes.append(f'{key} {path} is an empty file (0 bytes)')
    return '; '.join(notes)

"""Checkpoints that test the safe loading."""
import builtins
import os.path as osp
from typing import Tuple

import torch


class Payload:
    """Unpickling this object would create the file ``marker``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return builtins.open, (self.marker, 'w')


def write_malicious(folder) -> Tuple[str, object]:
    """Write ``<folder>/evil.pth``, a checkpoint that creates
    ``<folder>/pwned`` when it is fully unpickled; return both paths."""
    marker = osp.join(str(folder), 'pwned')
    path = osp.join(str(folder), 'evil.pth')
    torch.save({'state_dict': {}, 'meta': Payload(marker)}, path)
    assert not osp.exists(marker)
    return path, marker

"""Run the command-line tools as a user does: subprocesses from the
repository root (tests never import ``tools/``)."""
import contextlib
import os
import socket
import subprocess
import sys
from typing import Dict, List, Optional, Sequence

import torch

from .paths import REPO_ROOT

#: Environment of tool subprocesses on one thread: the test models are tiny,
#: and on a busy 2-core machine two threads made them up to 8x slower.
ONE_THREAD_ENV = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')


def run_tool(args: Sequence[str],
             expect_ok: bool = True,
             env: Optional[Dict[str, str]] = None,
             timeout: float = 900) -> str:
    """Run ``python <args>`` in :data:`REPO_ROOT`; return stdout + stderr.

    Asserts the exit status (zero when ``expect_ok``, non-zero otherwise)
    and shows the end of the output when it is not the expected one.
    """
    proc = subprocess.run(
        [sys.executable] + list(args),
        cwd=REPO_ROOT,
        env=ONE_THREAD_ENV if env is None else env,
        capture_output=True,
        text=True,
        timeout=timeout)
    output = proc.stdout + proc.stderr
    if expect_ok:
        assert proc.returncode == 0, output[-4000:]
    else:
        assert proc.returncode != 0, output[-4000:]
    return output


def data_options(root: str) -> List[str]:
    """``--cfg-options`` entries pointing every dataloader at ``root``."""
    return [
        f'{loader}.dataset.data_root={root}'
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    ]


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for a test's process group)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def single_thread():
    """Run PyTorch on one intra-op thread inside the block."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)

"""Helpers of the test suite (fixtures live in ``tests/conftest.py``)."""
from .checkpoints import write_malicious
from .paths import (DATA_ROOT, DEEPPCB_PCBDATA, DEEPPCB_ROOT, HAS_DEEPPCB,
                    REPO_ROOT)
from .pcb_boards import board, pair_tensor
from .tool_runner import (ONE_THREAD_ENV, data_options, free_port, run_tool,
                          single_thread)
from .toy_checkpoint import TOY_CONFIG, toy_checkpoint
from .toy_pairs import make_toy_paired_dataset

__all__ = [
    'DATA_ROOT', 'DEEPPCB_PCBDATA', 'DEEPPCB_ROOT', 'HAS_DEEPPCB',
    'ONE_THREAD_ENV', 'REPO_ROOT', 'TOY_CONFIG', 'board', 'data_options',
    'free_port', 'make_toy_paired_dataset', 'pair_tensor', 'run_tool',
    'single_thread', 'toy_checkpoint', 'write_malicious'
]

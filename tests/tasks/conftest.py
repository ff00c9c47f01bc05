"""Fixtures of the task tests: one thread for torch (small RNNs gain nothing from more, and a
shared CI machine loses a lot to oversubscription), the plays parsed once."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def single_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def speeches():
    from rnnlm.tasks.shakespeare import load_speeches

    return load_speeches()

"""``compile_cells``: the scratch recurrent layers through torch.compile, same function, same state_dict."""

from __future__ import annotations

import pytest
import torch

from rnnlm.errors import UsageError
from rnnlm.models import GRULM, LSTMLM


def test_compile_cells_compiles_the_scratch_layers_in_place():
    model = LSTMLM(vocab_size=12, embedding_dim=4, hidden_size=4, num_layers=1, backend="scratch", compile_cells=True)
    assert model.recurrent._compiled_call_impl is not None  # nn.Module.compile: forward goes through dynamo
    eager = LSTMLM(vocab_size=12, embedding_dim=4, hidden_size=4, num_layers=1, backend="scratch")
    assert eager.recurrent._compiled_call_impl is None
    assert list(model.state_dict()) == list(eager.state_dict())  # checkpoints stay interchangeable


def test_compile_cells_needs_the_scratch_backend():
    with pytest.raises(UsageError, match="use it with backend='scratch'"):
        GRULM(vocab_size=12, compile_cells=True)


@pytest.mark.slow
def test_compiled_cells_compute_what_eager_cells_compute():
    """Forward only, tiny sizes: inductor compiles a C++ kernel (about a minute on a busy 2-core machine)."""
    torch.manual_seed(0)
    eager = LSTMLM(vocab_size=12, embedding_dim=4, hidden_size=4, num_layers=1, dropout=0.0, backend="scratch").eval()
    compiled = LSTMLM(vocab_size=12, embedding_dim=4, hidden_size=4, num_layers=1, dropout=0.0, backend="scratch",
                      compile_cells=True).eval()
    compiled.load_state_dict(eager.state_dict())
    inputs = torch.randint(0, 12, (2, 3))  # [B, T]
    with torch.no_grad():
        expected_logits, expected_hidden = eager(inputs)
        logits, hidden = compiled(inputs)
    torch.testing.assert_close(logits, expected_logits, rtol=1e-5, atol=1e-6)
    for tensor, expected in zip(hidden, expected_hidden):
        torch.testing.assert_close(tensor, expected, rtol=1e-5, atol=1e-6)

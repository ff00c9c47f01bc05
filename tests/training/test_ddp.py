"""Two DDP ranks (gloo on CPU) walking B streams each end with the parameters of one process
walking the same 2B streams; the checkpoint holds every rank's hidden state at its rank.

DDP averages the gradients of the ranks and each rank's loss is the mean over its B x T tokens,
so equal shards give exactly the gradient of the single 2B batch (dropout off)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).with_name("ddp_script.py")
ROOT = Path(__file__).resolve().parents[2]
STEPS, BATCH = 6, 3


def run_single(corpus: Path, out: Path) -> Path:
    """The reference, in this process (one interpreter start less)."""
    out.mkdir()
    spec = importlib.util.spec_from_file_location("ddp_script", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.main(str(corpus), str(out), "single", STEPS, BATCH)
    return out


def run_ddp(corpus: Path, out: Path, mode: str = "ddp") -> Path:
    """Lightning's launcher starts rank 1 by running the script again: it must be a real program."""
    out.mkdir()
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT), MASTER_ADDR="127.0.0.1",
               MASTER_PORT=str(20000 + os.getpid() % 20000))
    result = subprocess.run([sys.executable, str(SCRIPT), str(corpus), str(out), mode, str(STEPS), str(BATCH)],
                            cwd=out, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


@pytest.mark.slow
@pytest.mark.ddp
def test_two_ranks_match_one_process_on_the_same_streams(tiny_corpus, tmp_path):
    ddp = run_ddp(tiny_corpus, tmp_path / "ddp")
    single = run_single(tiny_corpus, tmp_path / "single")
    ddp_parameters = torch.load(ddp / "ddp_parameters.pt")
    single_parameters = torch.load(single / "single_parameters.pt")
    assert ddp_parameters.keys() == single_parameters.keys()
    for name, tensor in single_parameters.items():
        torch.testing.assert_close(ddp_parameters[name], tensor, rtol=0, atol=1e-5, msg=name)

    saved = torch.load(ddp / "ddp.ckpt", weights_only=False)["rnnlm"]["hidden"]  # (h, c): [W, L, B, H] each
    rank_states = [torch.load(ddp / f"hidden_rank{rank}.pt") for rank in range(2)]
    single_state = torch.load(single / "hidden_rank0.pt")  # [L, 2B, H] each
    for index, stacked in enumerate(saved):
        assert stacked.shape == (2, 2, BATCH, 12)
        for rank in range(2):
            torch.testing.assert_close(stacked[rank], rank_states[rank][index], rtol=0, atol=0)
        torch.testing.assert_close(torch.cat([stacked[0], stacked[1]], dim=1), single_state[index],
                                   rtol=0, atol=1e-5)

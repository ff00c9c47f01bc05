"""Two DDP ranks (gloo on CPU) walking B streams each end with the parameters of one process
walking the same 2B streams, and validate to the same token-weighted loss; the checkpoint holds every rank's hidden state at its rank; and two
ranks resumed from a mid-epoch checkpoint continue exactly as the uninterrupted two-rank run.

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


def run_ddp(corpus: Path, out: Path, mode: str = "ddp", steps: int = STEPS, *extra: str, port_offset: int = 0) -> Path:
    """Lightning's launcher starts rank 1 by running the script again: it must be a real program.

    Runs in one test take distinct ``port_offset``s. Two runs back to back on one port worked
    here (the rendezvous store closes its port when the run ends); distinct ports keep a run
    from depending on that."""
    out.mkdir()
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT), MASTER_ADDR="127.0.0.1",
               MASTER_PORT=str(20000 + (os.getpid() + 7919 * port_offset) % 20000))
    result = subprocess.run([sys.executable, str(SCRIPT), str(corpus), str(out), mode, str(steps), str(BATCH),
                             *extra], cwd=out, env=env, capture_output=True, text=True, timeout=300)
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

    # one token-weighted mean over both ranks' validation tokens = the single process's mean over the same tokens
    assert torch.load(ddp / "ddp_val_loss.pt") == pytest.approx(torch.load(single / "single_val_loss.pt"), rel=1e-5)

    saved = torch.load(ddp / "ddp.ckpt", weights_only=False)["rnnlm"]["hidden"]  # (h, c): [W, L, B, H] each
    rank_states = [torch.load(ddp / f"hidden_rank{rank}.pt") for rank in range(2)]
    single_state = torch.load(single / "hidden_rank0.pt")  # [L, 2B, H] each
    for index, stacked in enumerate(saved):
        assert stacked.shape == (2, 2, BATCH, 12)
        for rank in range(2):
            torch.testing.assert_close(stacked[rank], rank_states[rank][index], rtol=0, atol=0)
        torch.testing.assert_close(torch.cat([stacked[0], stacked[1]], dim=1), single_state[index],
                                   rtol=0, atol=1e-5)


@pytest.mark.slow
@pytest.mark.ddp
def test_two_ranks_with_several_windows_per_batch_match_one_process(tiny_corpus, tmp_path):
    """Four windows per batch on two ranks (STEPS = 6: a batch of 4, then one of 2 cut at
    max_steps): every window's backward still all-reduces the gradients (Lightning's
    ``manual_backward`` under DDP), so the parameters are those of one process stepping window
    by window on the same streams."""
    ddp = run_ddp(tiny_corpus, tmp_path / "ddp", "ddp", STEPS, "4", port_offset=1)
    single = run_single(tiny_corpus, tmp_path / "single")
    ddp_parameters = torch.load(ddp / "ddp_parameters.pt")
    for name, tensor in torch.load(single / "single_parameters.pt").items():
        torch.testing.assert_close(ddp_parameters[name], tensor, rtol=0, atol=1e-5, msg=name)
    assert torch.load(ddp / "ddp.ckpt", weights_only=False)["global_step"] == STEPS


@pytest.mark.slow
@pytest.mark.ddp
def test_two_ranks_resumed_mid_epoch_continue_exactly(tiny_corpus, tmp_path):
    """Each rank gets its own hidden state and dropout RNG back from the mid-epoch checkpoint,
    and both continue at the saved window: every rank's loss at every step, the final parameters
    and every rank's final carried hidden state are bitwise those of the uninterrupted run.

    Bitwise holds on CPU with gloo: the two processes compute the same operations in the same
    order in both runs and the all-reduce of two ranks sums in a fixed order."""
    from rnnlm.data.datamodule import LanguageModelDataModule

    spec = importlib.util.spec_from_file_location("ddp_script", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    settings = script.RESUME_SETTINGS
    # The windows of an epoch of 2 ranks x BATCH streams: those of one process with 2 x BATCH.
    steps_per_epoch = len(LanguageModelDataModule(corpus=str(tiny_corpus), batch_size=2 * BATCH,
                                                  bptt=settings["bptt"],
                                                  variable_bptt=settings["variable_bptt"]).train_dataloader())
    stop, total = 10, 30  # mid-epoch 0; the resumed run crosses into epoch 1 (the learning rate halves)
    assert stop + 3 < steps_per_epoch < total

    first = run_ddp(tiny_corpus, tmp_path / "first", "ddp-stop", total, str(stop))
    checkpoint = first / "stopped" / f"step{stop}.ckpt"
    saved = torch.load(checkpoint, weights_only=False)
    assert all(t.shape == (2, 2, BATCH, 12) for t in saved["rnnlm"]["hidden"])  # [W, L, B, H]: (h, c)
    assert not torch.equal(saved["rnnlm"]["hidden"][0][0], saved["rnnlm"]["hidden"][0][1])  # ranks differ
    assert not torch.equal(saved["rnnlm"]["rng"][0], saved["rnnlm"]["rng"][1])
    second = run_ddp(tiny_corpus, tmp_path / "second", "ddp-resume", total, str(checkpoint), port_offset=1)

    uninterrupted, stopped, resumed = first / "uninterrupted", first / "stopped", second / "resumed"
    reference = [torch.load(uninterrupted / f"losses_rank{rank}.pt") for rank in range(2)]
    first_part = [torch.load(stopped / f"losses_rank{rank}.pt") for rank in range(2)]
    second_part = [torch.load(resumed / f"losses_rank{rank}.pt") for rank in range(2)]
    for rank in range(2):
        assert sorted(reference[rank]) == list(range(1, total + 1))
        assert sorted(first_part[rank]) == list(range(1, stop + 1))
        assert sorted(second_part[rank]) == list(range(stop + 1, total + 1))  # continued at the saved step
    for step in range(1, stop + 1):
        for rank in range(2):
            assert first_part[rank][step] == reference[rank][step], (rank, step)
    for step in range(stop + 1, total + 1):  # bitwise: same windows, states, masks and updates
        for rank in range(2):  # step by step, so that the first rank to go astray is the one named
            assert second_part[rank][step] == reference[rank][step], \
                (rank, step, second_part[rank][step], reference[rank][step])
    for rank in range(2):
        for index, (a, b) in enumerate(zip(torch.load(uninterrupted / f"hidden_rank{rank}.pt"),
                                           torch.load(resumed / f"hidden_rank{rank}.pt"))):
            torch.testing.assert_close(b, a, rtol=0, atol=0, msg=f"rank {rank}, hidden tensor {index}")
    reference_parameters = torch.load(uninterrupted / "parameters.pt")
    resumed_parameters = torch.load(resumed / "parameters.pt")
    assert reference_parameters.keys() == resumed_parameters.keys()
    for name, tensor in reference_parameters.items():
        torch.testing.assert_close(resumed_parameters[name], tensor, rtol=0, atol=0, msg=name)

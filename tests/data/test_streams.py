"""TBPTT streams: exact layout per rank, window schedules, epochs, resume."""

from __future__ import annotations

import pytest
import torch

from rnnlm.data.streams import TBPTTBatch, TBPTTLoader, fixed_windows, variable_windows


def expected_window(rank: int, batch_size: int, stream_length: int, start: int, length: int) -> torch.Tensor:
    """Independent reference: stream s holds positions s*L .. s*L+L-1 of torch.arange."""
    rows = [torch.arange(length) + (rank * batch_size + row) * stream_length + start for row in range(batch_size)]
    return torch.stack(rows)  # [B, T]


@pytest.mark.parametrize("world_size,batch_size,bptt,num_tokens", [(1, 3, 4, 50), (2, 2, 3, 37), (4, 3, 5, 301)])
def test_exact_tokens_per_rank_and_step(world_size, batch_size, bptt, num_tokens):
    ids = torch.arange(num_tokens)
    stream_length = num_tokens // (world_size * batch_size)
    walks = []
    for rank in range(world_size):
        loader = TBPTTLoader(ids, batch_size, bptt, rank=rank, world_size=world_size)
        assert loader.stream_length == stream_length
        assert loader.dropped_tokens == num_tokens - world_size * batch_size * stream_length
        batches = list(loader)
        assert len(batches) == len(loader)
        start = 0
        for step, batch in enumerate(batches):
            length = min(bptt, stream_length - 1 - start)
            expected = expected_window(rank, batch_size, stream_length, start, length)
            torch.testing.assert_close(batch.inputs, expected, rtol=0, atol=0)
            torch.testing.assert_close(batch.targets, expected + 1, rtol=0, atol=0)
            assert batch.reset == (step == 0)
            assert batch.inputs.dtype == torch.long and batch.inputs.is_contiguous()
            start += length
        assert start == stream_length - 1  # every input position of every stream seen once
        walks.append(batches)
    # same number of steps on every rank; all ranks together cover the kept prefix exactly once
    assert len({len(walk) for walk in walks}) == 1
    seen = torch.cat([torch.cat([b.inputs for b in walk], dim=1).flatten() for walk in walks])
    kept = world_size * batch_size * stream_length
    expected_seen = torch.arange(kept).view(-1, stream_length)[:, :-1].flatten()
    torch.testing.assert_close(seen.sort().values, expected_seen.sort().values, rtol=0, atol=0)


def test_docstring_picture():
    letters = torch.arange(24)  # a..x
    rank1 = list(TBPTTLoader(letters, batch_size=2, bptt=2, rank=1, world_size=2))
    assert [b.inputs.tolist() for b in rank1] == [[[12, 13], [18, 19]], [[14, 15], [20, 21]], [[16], [22]]]
    assert rank1[-1].targets.tolist() == [[17], [23]]


def test_layout_summary_reports_dropped_tokens():
    loader = TBPTTLoader(torch.arange(1003), batch_size=2, bptt=10, rank=1, world_size=2, split="valid")
    assert loader.layout_summary() == ("valid: 1,003 tokens -> 4 streams x 250 tokens (2 per rank, 25 windows, "
                                       "bptt 10); 3 tokens dropped at the end")


def test_fixed_windows_cover_exactly():
    assert fixed_windows(10, 4) == [(0, 4), (4, 4), (8, 2)]
    assert fixed_windows(8, 4) == [(0, 4), (4, 4)]


@pytest.mark.parametrize("usable,bptt", [(10_000, 35), (999, 70), (300, 5)])
def test_variable_windows(usable, bptt):
    counts = set()
    for epoch in range(5):
        windows = variable_windows(usable, bptt, seed=3, epoch=epoch)
        assert windows == variable_windows(usable, bptt, seed=3, epoch=epoch)  # same on every rank
        starts = [start for start, _ in windows]
        lengths = [length for _, length in windows]
        assert starts[0] == 0 and sum(lengths) == usable and min(lengths) >= 1
        assert all(a + la == b for (a, la), (b, _) in zip(windows, windows[1:]))
        counts.add(len(windows))
    assert len(counts) == 1  # a fixed number of windows every epoch (Lightning fixes it)
    assert variable_windows(usable, bptt, 3, 0) != variable_windows(usable, bptt, 3, 1)
    assert variable_windows(usable, bptt, 3, 0) != variable_windows(usable, bptt, 4, 0)


def test_variable_windows_follow_awd_lstm_distribution():
    lengths = torch.tensor([length for epoch in range(20) for _, length in variable_windows(100_000, 70, 0, epoch)],
                           dtype=torch.float)
    half = (lengths < 52).float().mean().item()  # bptt/2 = 35 +- 5 std, far below 70 - 3 * 5
    assert 0.03 < half < 0.07  # probability 0.05
    full = lengths[lengths >= 52]
    assert abs(full.mean().item() - 70) < 1.0 and 3.5 < full.std().item() < 6.5


def test_epochs_change_the_variable_schedule_and_set_epoch():
    loader = TBPTTLoader(torch.arange(5000), batch_size=4, bptt=10, variable_bptt=True, seed=1)
    first = [b.inputs.shape[1] for b in loader]
    second = [b.inputs.shape[1] for b in loader]  # a new walk without set_epoch: the next epoch
    assert loader.epoch == 1 and first != second and len(first) == len(second) == len(loader)
    loader.set_epoch(0)
    assert [b.inputs.shape[1] for b in loader] == first
    assert [length for _, length in loader.windows(1)] == second


def test_resume_mid_epoch_continues_at_the_same_window():
    ids = torch.arange(3000)
    reference = TBPTTLoader(ids, batch_size=3, bptt=7, variable_bptt=True, seed=5)
    reference.set_epoch(2)
    full = list(reference)
    loader = TBPTTLoader(ids, batch_size=3, bptt=7, variable_bptt=True, seed=5)
    loader.set_epoch(2)
    iterator = iter(loader)
    consumed = [next(iterator) for _ in range(11)]
    state = loader.state_dict()
    assert (state["epoch"], state["window_index"]) == (2, 11)
    resumed = TBPTTLoader(ids, batch_size=3, bptt=7, variable_bptt=True, seed=5)
    resumed.load_state_dict(state)
    resumed.set_epoch(2)  # Lightning calls this after restoring: it must not rewind
    rest = list(resumed)
    assert len(consumed) + len(rest) == len(full)
    for got, want in zip(consumed + rest, full):
        torch.testing.assert_close(got.inputs, want.inputs, rtol=0, atol=0)
        assert got.reset == want.reset
    # state is rank independent: rank 1 resumes at the same window with its own streams
    other = TBPTTLoader(ids, batch_size=3, bptt=7, rank=1, world_size=2, variable_bptt=True, seed=5)
    state = TBPTTLoader(ids, batch_size=3, bptt=7, world_size=2, variable_bptt=True, seed=5).state_dict()
    other.load_state_dict({**state, "epoch": 2, "window_index": 11})
    first = next(iter(other))
    start, length = other.windows(2)[11]
    torch.testing.assert_close(first.inputs, expected_window(1, 3, other.stream_length, start, length), rtol=0, atol=0)


def test_resume_with_another_layout_warns_and_keeps_the_fraction():
    state = TBPTTLoader(torch.arange(1000), batch_size=2, bptt=5).state_dict()
    state["window_index"] = state["num_windows"] // 2
    loader = TBPTTLoader(torch.arange(1000), batch_size=4, bptt=5)
    with pytest.warns(UserWarning, match="different stream layout"):
        loader.load_state_dict(state)
    assert abs(loader.window_index - len(loader) / 2) <= 1


def test_end_of_epoch_state_starts_the_next_epoch():
    loader = TBPTTLoader(torch.arange(200), batch_size=2, bptt=5)
    list(loader)
    resumed = TBPTTLoader(torch.arange(200), batch_size=2, bptt=5)
    resumed.load_state_dict(loader.state_dict())
    batches = list(resumed)
    assert len(batches) == len(resumed) and batches[0].reset and resumed.epoch == 1


def test_lightning_sees_no_sampler_to_replace():
    loader = TBPTTLoader(torch.arange(100), batch_size=2, bptt=5)
    assert not isinstance(loader, torch.utils.data.DataLoader)
    assert loader.sampler is loader and loader.batch_sampler is None
    assert isinstance(next(iter(loader)), TBPTTBatch)


def test_too_small_corpus_names_the_numbers():
    with pytest.raises(ValueError, match=r"has 100 tokens.*2 x 5 x 11 = 110"):
        TBPTTLoader(torch.arange(100), batch_size=5, bptt=10, world_size=2, split="valid")


@pytest.mark.parametrize("kwargs,message", [
    ({"batch_size": 0}, "batch_size must be >= 1"),
    ({"bptt": 0}, "bptt must be >= 1"),
    ({"rank": 2, "world_size": 2}, r"rank must be in \[0, 2\)"),
])
def test_bad_arguments(kwargs, message):
    arguments = {"batch_size": 2, "bptt": 3, **kwargs}
    with pytest.raises(ValueError, match=message):
        TBPTTLoader(torch.arange(100), **arguments)
    with pytest.raises(ValueError, match=r"1-D array.*\(10, 10\)"):
        TBPTTLoader(torch.arange(100).view(10, 10), 2, 3)

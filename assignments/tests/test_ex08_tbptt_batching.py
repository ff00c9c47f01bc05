"""Public tests of exercise 8 (TBPTT batching): signatures, shapes, dtypes, one known value each."""

import inspect

import torch

import ex08_tbptt_batching as ex


def test_signatures():
    assert list(inspect.signature(ex.batchify).parameters) == ["ids", "num_streams"]
    assert list(inspect.signature(ex.rank_streams).parameters) == ["ids", "batch_size", "rank", "world_size"]
    assert list(inspect.signature(ex.window_schedule).parameters) == ["stream_length", "bptt"]
    assert list(inspect.signature(ex.get_window).parameters) == ["streams", "start", "bptt"]
    assert list(inspect.signature(ex.tbptt_windows).parameters) == ["ids", "batch_size", "bptt", "rank", "world_size"]
    assert list(inspect.signature(ex.detach_state).parameters) == ["state"]


def test_batchify_known_value():
    streams = ex.batchify(torch.arange(10), 3)
    assert streams.dtype == torch.long
    assert streams.tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]


def test_rank_streams_known_value():
    assert ex.rank_streams(torch.arange(12), batch_size=1, rank=1, world_size=3).tolist() == [[4, 5, 6, 7]]


def test_window_schedule_known_value():
    assert ex.window_schedule(6, 2) == [(0, 2), (2, 2), (4, 1)]


def test_get_window_shapes():
    inputs, targets = ex.get_window(torch.arange(12).reshape(2, 6), 0, 3)
    assert inputs.shape == (2, 3) and targets.shape == (2, 3)


def test_tbptt_windows_known_value():
    windows = ex.tbptt_windows(torch.arange(7), 1, 4)
    assert [(x.tolist(), y.tolist()) for x, y in windows] == [([[0, 1, 2, 3]], [[1, 2, 3, 4]]), ([[4, 5]], [[5, 6]])]


def test_detach_state_tuple():
    h = torch.ones(2, 3, requires_grad=True) * 2
    detached = ex.detach_state((h, h))
    assert isinstance(detached, tuple) and len(detached) == 2
    assert not detached[0].requires_grad
    torch.testing.assert_close(detached[0], h.detach())

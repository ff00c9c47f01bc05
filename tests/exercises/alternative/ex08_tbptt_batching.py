"""Correct alternative for exercise 8: view/narrow, a while loop for the schedule, a generic detach."""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["batchify", "rank_streams", "window_schedule", "get_window", "tbptt_windows", "detach_state"]


def batchify(ids: Tensor, num_streams: int) -> Tensor:
    length = len(ids) // num_streams
    return torch.stack([ids[s * length:(s + 1) * length] for s in range(num_streams)])


def rank_streams(ids: Tensor, batch_size: int, rank: int = 0, world_size: int = 1) -> Tensor:
    length = len(ids) // (world_size * batch_size)
    first = rank * batch_size * length
    return ids.narrow(0, first, batch_size * length).view(batch_size, length)


def window_schedule(stream_length: int, bptt: int) -> list[tuple[int, int]]:
    schedule, start = [], 0
    while start + 1 < stream_length:
        length = min(bptt, stream_length - 1 - start)
        schedule.append((start, length))
        start += length
    return schedule


def get_window(streams: Tensor, start: int, bptt: int) -> tuple[Tensor, Tensor]:
    length = min(bptt, streams.size(1) - 1 - start)
    return streams.narrow(1, start, length), streams.narrow(1, start + 1, length)


def tbptt_windows(ids: Tensor, batch_size: int, bptt: int, rank: int = 0, world_size: int = 1) -> list[tuple[Tensor, Tensor]]:
    streams = rank_streams(ids, batch_size, rank, world_size)
    windows = []
    for start, _ in window_schedule(streams.size(1), bptt):
        windows.append(get_window(streams, start, bptt))
    return windows


def detach_state(state: Tensor | tuple[Tensor, ...]) -> Tensor | tuple[Tensor, ...]:
    if isinstance(state, tuple):
        return tuple(map(detach_state, state))
    return state.detach()

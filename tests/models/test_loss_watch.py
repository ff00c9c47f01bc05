"""The training losses' queue (``LossWatch``): exact values, and nothing of a step kept alive.

Keeping each step's loss tensor until the next look pinned the allocator's heap (a step's large
temporaries could not be reused and the peak RSS of the peer's recipe went from 0.7 to 3.2 GB in
100 steps): the queue copies a loss into its own buffer and lets the tensor go.
"""

from __future__ import annotations

import gc
import weakref

import pytest
import torch

from rnnlm.models.tbptt import LossWatch


def test_queued_losses_come_back_exactly_and_fold_into_the_epoch_sum():
    watch = LossWatch()
    losses = torch.rand(150, dtype=torch.float32) * 10  # more than the first buffer's 64 slots
    tokens = [int(n) for n in torch.randint(1, 700, (150,))]
    for step, (loss, count) in enumerate(zip(losses[:100], tokens)):
        watch.add(loss.clone(), count, step, step // 20)
    entries, taken = watch.take_unchecked()
    assert entries == [(count, step, step // 20) for step, count in enumerate(tokens[:100])]
    torch.testing.assert_close(taken, losses[:100].double(), rtol=0, atol=0)
    for step, (loss, count) in enumerate(zip(losses[100:], tokens[100:]), start=100):
        watch.add(loss.clone(), count, step, step // 20)
    entries, taken = watch.take_unchecked()
    assert len(entries) == 50 and watch.unchecked == []
    torch.testing.assert_close(taken, losses[100:].double(), rtol=0, atol=0)
    expected = sum(float(loss) * count for loss, count in zip(losses.double(), tokens))
    assert watch.epoch_tokens == sum(tokens)
    assert watch.epoch_sum.dtype == torch.float64
    assert float(watch.epoch_sum) == pytest.approx(expected, rel=1e-12)
    assert watch.take_unchecked() == ([], None)


def test_a_queued_loss_is_not_kept_alive():
    watch = LossWatch()
    loss = torch.tensor(2.5)
    alive = weakref.ref(loss)
    watch.add(loss, 10, 0, 0)
    del loss
    gc.collect()
    assert alive() is None
    _, taken = watch.take_unchecked()
    assert taken.tolist() == [2.5]


def test_losses_queued_before_growing_are_kept():
    watch = LossWatch()
    for step in range(65):  # the 65th outgrows the first buffer
        watch.add(torch.tensor(float(step)), 1, step, 0)
    _, taken = watch.take_unchecked()
    assert taken.tolist() == [float(step) for step in range(65)]

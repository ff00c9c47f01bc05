"""Hidden suite of exercise 8: truncated-BPTT batching, detached state and DDP shards (5.5.2, 5.5.4).

Windows are also checked against an independent statement of the layout written here: rank ``r``
of ``W`` takes streams ``r*B .. r*B+B-1`` of the ``W*B`` contiguous streams.
"""

import torch

from autograder.checks import CheckFailed, compare, diagnose, expect_close, expect_true, fail, inputs, points, randn

EXERCISE = "ex08_tbptt_batching"


def _ids(label, length, vocab=50):
    return torch.randint(0, vocab, (length,), generator=inputs(EXERCISE, "ids", label))


@points(1.5)
def test_batchify(submission, reference):
    for label, length, streams in [("N=25 S=4", 25, 4), ("divisible N=24 S=6", 24, 6), ("S=1", 10, 1),
                                   ("S=N", 7, 7), ("long N=1000 S=13", 1000, 13)]:
        compare(submission, reference, "batchify", (_ids(label, length), streams), rtol=0, atol=0, case=label,
                name="streams")
    compare(submission, reference, "batchify", (_ids("int32", 30).to(torch.int32), 4), rtol=0, atol=0,
            case="int32 ids (the dtype is kept)", name="streams")


@points(2)
def test_rank_streams(submission, reference):
    cases = [("W=2 B=2 rank 0", 25, 2, 0, 2), ("W=2 B=2 rank 1", 25, 2, 1, 2), ("W=3 B=1 rank 2", 12, 1, 2, 3),
             ("W=1", 30, 4, 0, 1), ("W=4 B=3 rank 3, N not divisible", 101, 3, 3, 4)]
    for label, length, batch, rank, world in cases:
        ids = _ids(label, length)
        got = compare(submission, reference, "rank_streams", (ids, batch), kwargs={"rank": rank, "world_size": world},
                      rtol=0, atol=0, case=label, name="rank's streams")
        stream_length = length // (world * batch)
        independent = ids[: world * batch * stream_length].view(world * batch, stream_length)[rank * batch:(rank + 1) * batch]
        expect_close(got, independent, rtol=0, atol=0, name="rank's streams", case=f"{label} (layout)")


@points(1.5)
def test_window_schedule(submission, reference):
    for length, bptt in [(6, 2), (7, 3), (2, 5), (36, 35), (101, 10), (11, 1), (1, 3), (0, 2)]:
        compare(submission, reference, "window_schedule", (length, bptt), rtol=0, atol=0,
                case=f"stream_length={length}, bptt={bptt}", name="schedule")


@points(1.5)
def test_get_window(submission, reference):
    streams = _ids("windows", 40).view(4, 10)
    for start, bptt in [(0, 3), (3, 3), (7, 5), (8, 3), (0, 9)]:
        compare(submission, reference, "get_window", (streams, start, bptt), rtol=0, atol=0,
                case=f"start={start}, bptt={bptt}", name="(inputs, targets)")


@points(2)
def test_tbptt_windows(submission, reference):
    cases = [("N=101 B=3 bptt=7", 101, 3, 7, 0, 1), ("W=2 rank 1", 203, 2, 5, 1, 2),
             ("bptt longer than streams", 20, 2, 35, 0, 1),
             ("B=1 bptt=1", 9, 1, 1, 0, 1), ("W=3 rank 0", 97, 2, 4, 0, 3), ("streams of one token (no window)", 7, 5, 3, 0, 1)]
    for label, length, batch, bptt, rank, world in cases:
        compare(submission, reference, "tbptt_windows", (_ids(label, length), batch, bptt),
                kwargs={"rank": rank, "world_size": world}, rtol=0, atol=0, case=label, name="windows")


def _detached(outcome, structure, case):
    value = outcome.result
    parts = value if isinstance(structure, tuple) else (value,)
    if isinstance(structure, tuple) and (type(value) is not tuple or len(value) != len(structure)):
        fail(f"detach_state must return a tuple of {len(structure)} tensors for a tuple state", case)
    for index, part in enumerate(parts):
        if not isinstance(part, torch.Tensor):
            fail(f"detach_state returned a {type(part).__name__} where a tensor was expected", case)
        flags = getattr(part, "_autograder_flags", {})
        expect_true(not flags.get("requires_grad") and not flags.get("grad_fn"),
                    f"tensor {index} of the returned state still requires grad: it is not detached", case)


@points(1.5)
def test_detach_state(submission, reference):
    generator = inputs(EXERCISE, "detach")
    h, c = randn(generator, 2, 3, 4), randn(generator, 2, 3, 4)
    for label, state, wrt in [("tensor (RNN/GRU)", h, [()]), ("tuple (h, c) (LSTM)", (h, c), [(0,), (1,)])]:
        upstream = state if isinstance(state, torch.Tensor) else tuple(state)
        request = {"wrt": [(0, *path) for path in wrt], "upstream": upstream}
        outcome = submission.run("detach_state", (state,), **request)
        try:
            expect_true(not outcome.modified, "detach_state() modified its inputs in place (the caller's tensors lost "
                        "their graph); return detached tensors and leave the inputs unchanged", label)
            _detached(outcome, state, label)
            expect_close(outcome.result, state, rtol=0, atol=0, name="detached state", case=label)
        except CheckFailed as failure:
            def probe(proxy, state=state, request=request):
                again = proxy.run("detach_state", (state,), **request)
                if again.modified:
                    fail("detach_state() modified its inputs in place")
                return _with_flags(again.result)
            observed = {} if outcome.modified else {"got": _with_flags(outcome.result)}
            raise diagnose(failure, reference, probe, rtol=0, atol=0, function="detach_state", **observed) from None


def _with_flags(value):
    """A returned state with what makes it detached or not (``requires_grad`` of each tensor) beside it."""
    parts = value if type(value) in (tuple, list) else (value,)
    return value, [bool(getattr(part, "_autograder_flags", {}).get("requires_grad")) for part in parts]

"""The wire format and the proxies, without a sandbox: data only, validated, never unpickled."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
import torch

from autograder import worker as wire
from autograder.checks import CheckFailed, expect_close
from autograder.oracle import InProcessSubmission


def _round_trip(value):
    arrays: dict = {}
    tree = wire.encode(value, arrays)
    header, arrays = wire.unpack(wire.pack({"value": tree}, arrays))
    return wire.decode(header["value"], arrays)


def test_values_round_trip_exactly():
    value = (torch.arange(6, dtype=torch.float32).view(2, 3), [1, 2.5, "x", None, True], {"k": np.ones(2)},
             float("nan"), 10**30)
    back = _round_trip(value)
    assert type(back) is tuple and back[0].dtype == torch.float32 and torch.equal(back[0], value[0])
    assert back[1] == [1, 2.5, "x", None, True] and type(back[1][4]) is bool
    assert type(back[2]["k"]) is np.ndarray and back[3] != back[3] and back[4] == 10**30


def test_subclasses_and_objects_are_described_not_carried():
    class Lying(int):
        def __eq__(self, other):
            return True

    class Sub(torch.Tensor):
        pass

    for value, name in [(Lying(3), "Lying"), (torch.zeros(2).as_subclass(Sub), "Sub"), (object(), "object")]:
        back = _round_trip(value)
        assert isinstance(back, wire.Unsupported) and name in back.class_name
        with pytest.raises(CheckFailed, match="returned an object of type"):
            expect_close(back, 3 if name == "Lying" else torch.zeros(2), rtol=0, atol=0)


def test_compressed_or_pickled_replies_are_refused():
    buffer = io.BytesIO()
    np.savez_compressed(buffer, __header__=np.frombuffer(b"{}", dtype=np.uint8))
    with pytest.raises(wire.ProtocolError, match="compressed"):
        wire.unpack(buffer.getvalue())
    buffer = io.BytesIO()
    np.savez(buffer, __header__=np.frombuffer(b"{}", dtype=np.uint8), evil=np.array([object()], dtype=object))
    with pytest.raises(wire.ProtocolError):
        wire.unpack(buffer.getvalue())
    with pytest.raises(wire.ProtocolError):
        wire.unpack(b"PRINTED: ex04 PASSED")


def test_headers_that_lie_about_arrays_are_refused():
    arrays = {"a0": np.zeros((2, 2), dtype=np.float32)}
    for node in ({"type": "tensor", "ref": "a0", "dtype": "float64", "shape": [2, 2]},
                 {"type": "tensor", "ref": "a0", "dtype": "float32", "shape": [4]},
                 {"type": "tensor", "ref": "missing", "dtype": "float32", "shape": [2, 2]},
                 {"type": "list", "items": [{"type": "list", "items": []}] * 10 ** 6}):
        with pytest.raises(wire.ProtocolError):
            wire.decode(node, arrays)
    deep = {"type": "none"}
    for _ in range(100):
        deep = {"type": "list", "items": [deep]}
    with pytest.raises(wire.ProtocolError, match="deeply"):
        wire.decode(deep, {})


def test_in_process_proxy_copies_inputs_and_reports_gradients():
    def scale(x, factor):
        return x * factor

    def sneaky(x):
        x.add_(1)
        return x

    proxy = InProcessSubmission({"scale": scale, "sneaky": sneaky}, "toy")
    x = torch.ones(3, dtype=torch.float64)
    outcome = proxy.run("scale", (x, 2.0), wrt=[(0,)], upstream=torch.full((3,), 0.5, dtype=torch.float64))
    assert torch.equal(outcome.result, 2 * x) and torch.equal(outcome.grads[0], torch.ones(3, dtype=torch.float64))
    with pytest.raises(CheckFailed, match=r"modified its inputs in place \(argument 0\)"):
        proxy.call("sneaky", x)
    assert torch.equal(x, torch.ones(3, dtype=torch.float64))  # the caller's tensor is never touched
    with pytest.raises(CheckFailed, match="does not define the function missing"):
        proxy.call("missing")


def test_in_process_proxy_blocks_shortcuts_only_during_the_call():
    def uses_lstm():
        return torch.nn.LSTM(2, 2)

    proxy = InProcessSubmission({"uses_lstm": uses_lstm}, "ex04_lstm_cell", forbidden=["torch.nn.LSTM"])
    with pytest.raises(CheckFailed, match="forbidden shortcut: torch.nn.LSTM is not allowed in ex04_lstm_cell"):
        proxy.call("uses_lstm")
    assert isinstance(torch.nn.LSTM(2, 2), torch.nn.Module)


def test_expect_close_feedback_names_the_case_without_values():
    want = torch.zeros(2, 3, dtype=torch.float64)
    with pytest.raises(CheckFailed, match=r"\[batch 1\] h_t: shape \[3, 2\], expected \[2, 3\]"):
        expect_close(torch.zeros(3, 2, dtype=torch.float64), want, rtol=0, atol=0, name="h_t", case="batch 1")
    with pytest.raises(CheckFailed, match="dtype float32, expected float64"):
        expect_close(torch.zeros(2, 3), want, rtol=0, atol=0)
    with pytest.raises(CheckFailed, match=r"max abs error 0\.5 exceeds the tolerance.*at 1 of 6 entries") as info:
        got = want.clone()
        got[0, 0] = 0.5
        expect_close(got, want, rtol=0, atol=1e-9)
    assert "tensor(" not in str(info.value)


def test_zip_reading_refuses_links_and_escaping_paths(tmp_path):
    from autograder.submission import load_submission

    archive = tmp_path / "s.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("../../ex01_rnn_forward.py", "x = 1")
        handle.writestr("deep/ex02_bptt.py", "x = 2")
    submission = load_submission(archive)
    try:
        assert sorted(submission.files) == ["ex02_bptt"]
        assert any("'../../ex01_rnn_forward.py' refused" in w for w in submission.warnings)
    finally:
        submission.cleanup()


def test_plain_subprocess_fallback_warns_and_still_grades(toy_suites):
    from autograder.runner import grade_submission
    from autograder.sandbox import Sandbox
    from autograder.submission import load_submission

    from tests.support.grading_toy import TOY_SOLUTIONS

    with pytest.warns(RuntimeWarning, match="CAN READ the solutions"):
        sandbox = Sandbox(use_bwrap=False)
    submission = load_submission(sorted(TOY_SOLUTIONS.glob("ex*.py")), "fallback")
    try:
        result = grade_submission(submission, toy_suites, sandbox=sandbox, solutions_dir=TOY_SOLUTIONS)
    finally:
        submission.cleanup()
    assert result["score"] == result["max_score"] == 5.0
    assert "NOT hidden" in result["sandbox"]


def test_framing_reassembles_messages_from_any_chunking_and_refuses_oversized_ones():
    from autograder.worker.framing import MAX_MESSAGE_BYTES, PREFIX, read_frame, write_frame

    sent = bytearray()
    for payload in (b"", b"abc", bytes(range(256)) * 40):
        write_frame(lambda view: (sent.extend(view[:7]), len(view[:7]))[1], payload)  # 7 bytes per write
    stream = io.BytesIO(bytes(sent))
    received = [read_frame(lambda count: stream.read(min(count, 5))) for _ in range(3)]  # 5 bytes per read
    assert received == [b"", b"abc", bytes(range(256)) * 40]
    with pytest.raises(EOFError):
        read_frame(stream.read)  # the end of the stream, between messages
    with pytest.raises(EOFError, match="inside a message"):
        read_frame(io.BytesIO(PREFIX.pack(10) + b"short").read)
    unread = io.BytesIO(PREFIX.pack(MAX_MESSAGE_BYTES + 1) + b"x")
    with pytest.raises(wire.ProtocolError, match="exceeds the limit"):
        read_frame(unread.read)
    assert unread.read() == b"x"  # refused before its body was read

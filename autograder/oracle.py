"""The submission proxies that hidden suites call: sandboxed (default) or in-process (nbgrader).

Both implement one small, stable API (documented in docs/grading.md):

- ``proxy.call(function, *args, **kwargs) -> value``: call ``function`` of the exercise module on
  copies of the arguments. Raises ``CheckFailed`` with a student-facing message when the function
  is missing, raises, is forbidden, times out, kills its worker, or modifies its inputs in place.
- ``proxy.run(function, args, kwargs=None, wrt=None, upstream=None) -> Outcome``: the same, plus
  gradients: the argument tensors at the paths ``wrt`` (tuples of indices into ``args``) require
  grad and ``Outcome.grads`` holds d(sum(result * upstream))/d(argument) for each (``None`` where
  the result does not depend on it); ``Outcome.modified`` lists arguments changed in place.
- ``proxy.has(function) -> bool``: whether the module defines it.

Values cross the boundary as data only (``autograder.worker``'s wire format), in both
implementations, so a hidden check behaves the same in the sandbox and in a notebook.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder import worker as wire
from autograder.checks import CheckFailed
from autograder.sandbox import ForkServer, Limits, Sandbox, Worker, WorkerError

BLOCKED_MODULES = ["rnnlm", "autograder", "solutions"]
"""Packages no submission may import (the library contains every exercise's answer)."""


@dataclass
class Outcome:
    """What one call returned: the value, the requested gradients, the arguments changed in place."""

    result: Any
    grads: list = field(default_factory=list)
    modified: list = field(default_factory=list)


def _request(function: str, args: tuple, kwargs: dict, wrt, upstream) -> tuple[dict, dict]:
    arrays: dict = {}
    header = {"op": "call", "function": function, "args": wire.encode(list(args), arrays),
              "kwargs": wire.encode(dict(kwargs), arrays), "grad": None}
    if wrt:
        header["grad"] = {"wrt": [list(path) for path in wrt], "upstream": wire.encode(upstream, arrays)}
    return header, arrays


def _outcome(exercise: str, function: str, reply: dict, arrays: dict) -> Outcome:
    """Turn a reply into an ``Outcome``, or raise ``CheckFailed`` describing what went wrong."""
    status = reply.get("status")
    if status == "missing":
        detail = " (the name exists but is not a function)" if reply.get("detail") else ""
        raise CheckFailed(f"{exercise} does not define the function {function}(){detail}")
    if status == "error":
        raise CheckFailed(_describe(function, reply.get("error")))
    if status != "ok":
        raise CheckFailed(f"{function}(): the worker sent an unexpected reply")
    try:
        result = wire.decode(reply.get("result"), arrays)
        grads_tree = reply.get("grads")
        grads = [wire.decode(g, arrays) for g in grads_tree] if type(grads_tree) is list else []
        modified = reply.get("modified") if type(reply.get("modified")) is list else []
    except wire.ProtocolError as error:
        raise CheckFailed(f"{function}(): its reply could not be read ({error})") from None
    return Outcome(result, grads, modified)


def _describe(function: str, error: Any) -> str:
    if type(error) is not dict:
        return f"{function}() failed"
    kind, message = str(error.get("type", "Exception"))[:100], str(error.get("message", ""))[:2000]
    if error.get("forbidden"):
        return f"{function}() uses a forbidden shortcut: {message}"
    trace = str(error.get("traceback", ""))[-2000:]
    return f"{function}() raised {kind}: {message}" + (f"\n{trace.rstrip()}" if trace else "")


def _argument_name(path: list) -> str:
    """``[0, 2, 1]`` -> ``argument 2[1]``; ``[1, "state"]`` -> ``keyword argument 'state'``."""
    if len(path) < 2:
        return "an argument"
    head = f"argument {path[1]}" if path[0] == 0 else f"keyword argument {path[1]!r}"
    return head + "".join(f"[{key!r}]" for key in path[2:])


def _check_inputs_untouched(function: str, outcome: Outcome) -> None:
    if outcome.modified:
        which = ", ".join(_argument_name(path) for path in outcome.modified[:5])
        raise CheckFailed(f"{function}() modified its inputs in place ({which}); leave the inputs unchanged")


class InProcessSubmission:
    """Call a module (or a notebook's namespace) in this process: nbgrader's trust model.

    No isolation at all: the code runs with the grader's rights. Forbidden shortcuts are blocked
    only during each call (and restored after), imports of blocked packages likewise.
    """

    def __init__(self, module: Any, exercise: str = "submission", forbidden: list[str] | None = None):
        if isinstance(module, dict):
            module = types.SimpleNamespace(**module)
        self.module, self.exercise, self.forbidden = module, exercise, list(forbidden or [])

    @classmethod
    def from_file(cls, path: Path, exercise: str, forbidden: list[str] | None = None) -> InProcessSubmission:
        """Import ``path`` under a private module name and wrap it."""
        name = f"_autograder_inprocess_{exercise}_{abs(hash(str(path)))}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ValueError(f"cannot import {path}: not a Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return cls(module, exercise, forbidden)

    def has(self, function: str) -> bool:
        """Whether the module defines ``function`` as a callable."""
        return callable(getattr(self.module, function, None))

    def run(self, function: str, args: tuple = (), kwargs: dict | None = None, wrt=None, upstream=None) -> Outcome:
        """Call ``function`` on copies of ``args`` (see the module docstring)."""
        header, arrays = _request(function, tuple(args), dict(kwargs or {}), wrt, upstream)
        header, arrays = wire.unpack(wire.pack(header, arrays))
        undo = wire.block_shortcuts(self.forbidden, [], self.exercise) if self.forbidden else []
        try:
            reply, reply_arrays = wire.run_call(self.module, header, arrays)
        finally:
            wire.restore_shortcuts(undo)
        reply, reply_arrays = wire.unpack(wire.pack(reply, reply_arrays))
        return _outcome(self.exercise, function, reply, reply_arrays)

    def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``function(*args, **kwargs)`` and return its value (``CheckFailed`` on any problem)."""
        outcome = self.run(function, args, kwargs)
        _check_inputs_untouched(function, outcome)
        return outcome.result


class SandboxedSubmission:
    """Call a student's exercise file in a sandboxed worker (started lazily, restarted after a crash).

    Workers are forked by ``server`` (shared by the exercises of one submission); without one,
    the proxy starts a fork server of its own for this file and stops it in ``close``.
    """

    def __init__(self, student_file: Path | None, exercise: str, *, sandbox: Sandbox, limits: Limits | None = None,
                 forbidden: list[str] | None = None, import_torch: bool = True, server: ForkServer | None = None):
        self.student_file, self.exercise, self.sandbox = student_file, exercise, sandbox
        self.limits = limits or Limits()
        self.init = {"op": "init", "forbidden": list(forbidden or []), "blocked_modules": BLOCKED_MODULES,
                     "import_torch": import_torch}
        self.own_server = server is None and student_file is not None
        if self.own_server:
            server = ForkServer(sandbox, {exercise: student_file}, self.limits, import_torch)
        self.server = server
        self.worker: Worker | None = None
        self.import_failure: str | None = None
        self.functions: list[str] = []
        self.spent = 0.0
        self.sequence = 0
        self.printed_parts: list[str] = []

    def _ensure_worker(self) -> Worker:
        if self.import_failure:
            raise CheckFailed(self.import_failure)
        if self.student_file is None:
            raise CheckFailed(f"{self.exercise}.py was not found in the submission")
        if self.worker is not None and self.worker.alive:
            return self.worker
        self._retire()
        started = time.monotonic()
        try:
            self.worker = self.server.spawn(self.exercise, self.limits, self.init)
        except WorkerError as error:
            self.spent += time.monotonic() - started
            self.import_failure = f"{self.exercise}: {error} (while importing your module)"
            raise CheckFailed(self.import_failure) from None
        self.spent += time.monotonic() - started
        reply = self.worker.first_reply
        if reply.get("status") != "ready":
            self._retire()
            error = reply.get("error")
            described = _describe("import", error).removeprefix("import() ").removeprefix("raised ")
            self.import_failure = f"{self.exercise}.py could not be imported: {described}"
            raise CheckFailed(self.import_failure)
        self.functions = [f for f in reply.get("functions", []) if type(f) is str]
        return self.worker

    def _retire(self) -> None:
        if self.worker is not None:
            printed = self.worker.printed()
            if printed:
                self.printed_parts.append(printed)
            self.worker.close()
            self.worker = None

    def has(self, function: str) -> bool:
        """Whether the module defines ``function`` (imports the module if needed)."""
        self._ensure_worker()
        return function in self.functions

    def run(self, function: str, args: tuple = (), kwargs: dict | None = None, wrt=None, upstream=None) -> Outcome:
        """Call ``function`` in the sandbox (see the module docstring)."""
        budget = self.limits.exercise_seconds - self.spent
        if budget <= 0:
            raise CheckFailed(f"{self.exercise}: its time budget of {self.limits.exercise_seconds:g} s is spent; "
                              "later checks were not run")
        worker = self._ensure_worker()
        header, arrays = _request(function, tuple(args), dict(kwargs or {}), wrt, upstream)
        self.sequence += 1
        header["id"] = self.sequence
        started = time.monotonic()
        try:
            reply, reply_arrays = worker.request(header, arrays, min(self.limits.call_seconds, budget),
                                                 what=f"running {function}()")
        except WorkerError as error:
            self._retire()
            raise CheckFailed(f"{function}(): {error}") from None
        finally:
            self.spent += time.monotonic() - started
        if reply.get("id") != self.sequence:  # a stray reply (a forked child, a forged write): stop trusting it
            self._retire()
            raise CheckFailed(f"{function}(): the worker's reply did not match the request (did your code fork or "
                              "write to the grader's pipe?)")
        return _outcome(self.exercise, function, reply, reply_arrays)

    def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``function(*args, **kwargs)`` and return its value (``CheckFailed`` on any problem)."""
        outcome = self.run(function, args, kwargs)
        _check_inputs_untouched(function, outcome)
        return outcome.result

    def printed(self) -> str:
        """What the student's code printed, over all its workers, capped at ``limits.output_bytes``."""
        parts = self.printed_parts + ([self.worker.printed()] if self.worker is not None else [])
        text = "\n".join(parts).strip()
        cap = self.limits.output_bytes
        return text if len(text) <= cap else text[:cap] + f"\n... [{len(text) - cap} more characters of output dropped]"

    def close(self) -> None:
        """Stop the worker (and the fork server, if this proxy started it)."""
        self._retire()
        if self.own_server:
            self.server.close()

"""What hidden suites are written with: points, deterministic inputs, and comparisons with feedback.

A hidden suite (``autograder/hidden/test_exNN_<topic>.py``) is a plain pytest module::

    EXERCISE = "ex04_lstm_cell"                 # the file name students submit, without .py
    FORBIDDEN = ["torch.nn.LSTM"]               # blocked inside the student's worker
    LIMITS = Limits(call_seconds=10)            # optional, see autograder.sandbox.Limits

    @points(2)
    def test_matches_reference(submission, reference):
        generator = inputs("ex04", "matches_reference", case)   # same inputs on every run
        got = submission.call("lstm_cell", x, state, *weights)  # computed in the sandbox
        want = reference.call("lstm_cell", x, state, *weights)  # computed by the solution
        expect_close(got, want, rtol=1e-5, atol=1e-6, name="(h, c)", case="batch 1")

Every failure raises ``CheckFailed`` with a message meant for the student: what was compared,
in which case, expected vs received type/dtype/shape, the largest error against the tolerance.
Messages never print input or expected values (they would leak the hidden inputs).

Diagnoses (docs/feedback.md): when a check fails, ``diagnose`` runs the failing input through
every known mistake of the exercise (``autograder.hidden.mistakes``, each built from the
reference solution in this trusted process) and, when the student's output equals one of them,
adds a paragraph starting with ``"Likely mistake: "`` naming it. Only failures pay for this.
"""

from __future__ import annotations

import math
import os
import re
import sys
import types
import warnings
import zlib
from functools import cache
from pathlib import Path
from typing import Any
from collections.abc import Callable

import numpy as np

from autograder.worker import Unsupported


def _is_tensor(value: Any) -> bool:
    """``isinstance(value, torch.Tensor)`` without importing torch (NumPy-only suites stay light)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


class CheckFailed(AssertionError):
    """A hidden check failed; the message is the student's feedback."""


def points(value: float) -> Callable:
    """Decorator: the test is worth ``value`` points (all or nothing)."""
    if not (isinstance(value, (int, float)) and value > 0):
        raise ValueError(f"points must be a positive number, got {value!r}")

    def mark(function: Callable) -> Callable:
        function.points = float(value)
        return function

    return mark


def seed_of(*key: object) -> int:
    """A 31-bit seed from a key: the same key gives the same inputs, whatever ran before.

    ``AUTOGRADER_SEED`` (an instructor's secret, optional) is mixed in, so a class cannot learn
    the hidden inputs from last term's feedback; grades stay reproducible for a fixed value.
    """
    salt = os.environ.get("AUTOGRADER_SEED", "")
    text = "/".join(str(part) for part in key) + "#" + salt
    return zlib.crc32(text.encode()) & 0x7FFFFFFF


def inputs(*key: object) -> torch.Generator:  # noqa: F821 - torch is imported lazily
    """A ``torch.Generator`` seeded from ``key`` (see ``seed_of``)."""
    import torch

    return torch.Generator().manual_seed(seed_of(*key))


def fail(message: str, case: str | None = None) -> None:
    """Raise ``CheckFailed`` (prefixed with the case when given)."""
    raise CheckFailed(f"[{case}] {message}" if case else message)


def _kind(value: Any) -> str:
    if isinstance(value, Unsupported):
        return value.class_name
    if _is_tensor(value):
        return f"tensor of shape {list(value.shape)} and dtype {str(value.dtype).removeprefix('torch.')}"
    if type(value) is np.ndarray:
        return f"numpy array of shape {list(value.shape)} and dtype {value.dtype}"
    return type(value).__name__


def expect_close(got: Any, want: Any, *, rtol: float, atol: float, name: str = "result", case: str | None = None,
                 check_dtype: bool = True, allow_alias: bool = True) -> None:
    """Check ``got`` against ``want``: same structure and types, tensors/floats within tolerance.

    Containers must match exactly (a tuple where a tuple is expected, same length, same keys);
    tensors must be plain ``torch.Tensor`` of the expected dtype and shape, finite where the reference
    is, and ``|got - want| <= atol + rtol*|want|``; with ``allow_alias=False`` also a new tensor (not
    one of the inputs, nor a view of one).
    """
    if isinstance(got, Unsupported):
        fail(f"{name}: returned an object of type {got.class_name}; expected a {_kind(want)}", case)
    if _is_tensor(want):
        _expect_tensor(got, want, rtol=rtol, atol=atol, name=name, case=case, check_dtype=check_dtype,
                       allow_alias=allow_alias)
        return
    if type(want) is np.ndarray:
        if type(got) is not np.ndarray:
            fail(f"{name}: expected a {_kind(want)}, received {_kind(got)}", case)
        if check_dtype and got.dtype != want.dtype:
            fail(f"{name}: dtype {got.dtype}, expected {want.dtype}", case)
        if got.shape != want.shape:
            fail(f"{name}: shape {list(got.shape)}, expected {list(want.shape)}", case)
        _expect_values(got, want, rtol=rtol, atol=atol, name=name, case=case)
        return
    if type(want) in (tuple, list):
        if type(got) is not type(want) or len(got) != len(want):
            length = f" of length {len(got)}" if type(got) in (tuple, list) else ""
            fail(f"{name}: expected a {type(want).__name__} of length {len(want)}, received {_kind(got)}{length}", case)
        for index, (g, w) in enumerate(zip(got, want)):
            expect_close(g, w, rtol=rtol, atol=atol, name=f"{name}[{index}]", case=case, check_dtype=check_dtype,
                         allow_alias=allow_alias)
        return
    if type(want) is dict:
        if type(got) is not dict or set(got) != set(want):
            keys = f" with keys {sorted(map(str, got))}" if type(got) is dict else ""
            fail(f"{name}: expected a dict with keys {sorted(map(str, want))}, received {_kind(got)}{keys}", case)
        for key in want:
            expect_close(got[key], want[key], rtol=rtol, atol=atol, name=f"{name}[{key!r}]", case=case,
                         check_dtype=check_dtype, allow_alias=allow_alias)
        return
    if type(want) is float:
        if type(got) not in (float, int):
            fail(f"{name}: expected a float, received {_kind(got)}", case)
        if math.isnan(want) and math.isnan(got):
            return
        if not (math.isclose(got, want, rel_tol=rtol, abs_tol=atol) or got == want):
            fail(f"{name}: off by {abs(got - want):.3g} (tolerance rtol={rtol:g}, atol={atol:g})", case)
        return
    if type(got) is not type(want) or got != want:
        fail(f"{name}: expected a {type(want).__name__} equal to the reference, received {_kind(got)}"
             + (" with a different value" if type(got) is type(want) else ""), case)


def _expect_tensor(got: Any, want: Any, *, rtol: float, atol: float, name: str, case: str | None,
                   check_dtype: bool, allow_alias: bool) -> None:
    if not _is_tensor(got):
        fail(f"{name}: expected a {_kind(want)}, received {_kind(got)}", case)
    flags = getattr(got, "_autograder_flags", {})
    if flags.get("aliases_input") and not allow_alias:
        fail(f"{name}: returned one of the input tensors itself; compute and return a new tensor", case)
    if check_dtype and got.dtype != want.dtype:
        fail(f"{name}: dtype {str(got.dtype).removeprefix('torch.')}, expected {str(want.dtype).removeprefix('torch.')}"
             " (keep the dtype of the inputs)", case)
    if got.shape != want.shape:
        fail(f"{name}: shape {list(got.shape)}, expected {list(want.shape)}", case)
    _expect_values(got.detach().cpu().numpy(), want.detach().cpu().numpy(), rtol=rtol, atol=atol, name=name, case=case)


def _expect_values(got: np.ndarray, want: np.ndarray, *, rtol: float, atol: float, name: str, case: str | None) -> None:
    """Entrywise closeness of two same-shape arrays (exact equality for integers and booleans)."""
    if want.dtype.kind in "biu" and got.dtype.kind in "biu":
        if not np.array_equal(got, want):
            fail(f"{name}: {int((got != want).sum())} of {want.size} entries differ from the reference", case)
        return
    got64, want64 = got.astype(np.float64), want.astype(np.float64)
    both_nan = np.isnan(got64) & np.isnan(want64)
    same_inf = np.isinf(want64) & (got64 == want64)
    if (np.isnan(got64) & ~both_nan).any() or (np.isinf(got64) & ~same_inf).any():
        fail(f"{name}: contains NaN or inf where the reference is finite", case)
    settled = both_nan | same_inf
    error = np.where(settled, 0.0, np.abs(got64 - want64))
    bad = error > atol + rtol * np.where(settled, 0.0, np.abs(want64))
    if bad.any():
        fail(f"{name}: max abs error {error.max():.3g} exceeds the tolerance (rtol={rtol:g}, atol={atol:g}) "
             f"at {int(bad.sum())} of {want.size} entries", case)


def expect_true(condition: bool, message: str, case: str | None = None) -> None:
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        fail(message, case)


def randn(generator, *shape: int, dtype=None, scale: float = 1.0):
    """Standard normal entries times ``scale`` as a tensor of ``dtype`` (float64 by default), from ``generator``."""
    import torch

    return (torch.randn(*shape, generator=generator, dtype=torch.float64) * scale).to(dtype or torch.float64)


def like(value: Any, generator) -> Any:
    """Random tensors with the structure of ``value`` (the upstream gradient of a gradient check)."""
    if _is_tensor(value):
        return randn(generator, *value.shape, dtype=value.dtype)
    if type(value) in (tuple, list):
        return type(value)(like(item, generator) for item in value)
    if type(value) is dict:
        return {key: like(item, generator) for key, item in value.items()}
    return None


def compare(submission, reference, function: str, args: tuple, *, rtol: float, atol: float, case: str,
            kwargs: dict | None = None, name: str | None = None, project: Callable[[Any], Any] | None = None,
            allow_alias: bool = True) -> Any:
    """Call ``function`` in both, check the submission's value against the reference's; return it.

    ``project`` (optional) picks what is compared from both results (e.g. some keys of a dict);
    ``allow_alias=False`` where the docstring promises new tensors (an input returned fails).
    A failure carries a diagnosis when the student's output equals a known mistake's.
    """
    kwargs = dict(kwargs or {})
    project = project or _identity
    want = project(reference.call(function, *args, **kwargs))
    got = _MISSING
    try:
        try:
            raw = submission.call(function, *args, **kwargs)
        except CheckFailed as failure:  # it raised or changed its inputs: say on which case
            fail(str(failure), case)
        got = project(raw)
        expect_close(got, want, rtol=rtol, atol=atol, name=name or f"{function}()", case=case, allow_alias=allow_alias)
    except CheckFailed as failure:
        raise diagnose(failure, reference, calling(function, args, kwargs, project), got=got, rtol=rtol, atol=atol,
                       function=function, allow_alias=allow_alias) from None
    return raw


def compare_gradients(submission, reference, function: str, args: tuple, wrt: list[tuple], *, rtol: float,
                      atol: float, case: str, names: list[str], kwargs: dict | None = None) -> None:
    """Check the gradients of ``sum(result * upstream)`` with respect to the arguments at ``wrt``.

    The upstream gradient is random with the structure of the reference's result. A gradient of
    ``None`` from the submission (its result does not depend on that argument, e.g. because it
    was detached or computed through NumPy) fails with a message saying so.
    """
    kwargs = dict(kwargs or {})
    generator = inputs("upstream", function, case)
    upstream = like(reference.call(function, *args, **kwargs), generator)
    want = reference.run(function, args, kwargs, wrt=wrt, upstream=upstream)
    got = submission.run(function, args, kwargs, wrt=wrt, upstream=upstream)
    if len(got.grads) != len(want.grads):
        fail(f"{function}(): the gradient computation did not complete", case)
    for index, (name, got_grad, want_grad) in enumerate(zip(names, got.grads, want.grads)):
        try:
            if got_grad is None and want_grad is not None:
                fail(f"d(output)/d({name}) is missing: the output of {function}() does not depend on {name} through "
                     "autograd (was something detached, or computed outside torch?)", case)
            if want_grad is not None:
                expect_close(got_grad, want_grad, rtol=rtol, atol=atol, name=f"gradient with respect to {name}",
                             case=case)
        except CheckFailed as failure:
            def probe(proxy, index=index):
                return proxy.run(function, args, kwargs, wrt=wrt, upstream=upstream).grads[index]
            raise diagnose(failure, reference, probe, got=got_grad, rtol=rtol, atol=atol, function=function) from None


# ----------------------------------------------------------------------------------------------
# Diagnoses: name the known mistake whose output equals the student's
# ----------------------------------------------------------------------------------------------

LIKELY = "Likely mistake: "
"""The start of the diagnosis paragraph of a failed check's message (the report's ``diagnosis``)."""

_MISSING = object()


def _identity(value: Any) -> Any:
    return value


def calling(function: str, args: tuple = (), kwargs: dict | None = None,
            project: Callable[[Any], Any] | None = None) -> Callable[[Any], Any]:
    """A probe for ``diagnose``: ``proxy -> project(proxy.call(function, *args, **kwargs))``."""
    kwargs, project = dict(kwargs or {}), project or _identity
    return lambda proxy: project(proxy.call(function, *args, **kwargs))


@cache
def _mistakes(exercise: str, path: str) -> tuple:
    """``(description, proxy, changed)`` of every catalogued mistake of ``exercise``, built from the solution at ``path``.

    ``changed`` names the module's functions whose code the mistake alters. A mistake whose
    edits no longer apply to that solution (an instructor's own ``--solutions``) is left out: it
    cannot be diagnosed, nothing else changes.
    """
    from autograder.hidden.mistakes import MISTAKES, apply_mistake
    from autograder.oracle import InProcessSubmission

    source = Path(path).read_text(encoding="utf-8")
    solution: dict = {"__name__": f"_autograder_solution_{exercise}"}
    exec(compile(source, path, "exec"), solution)  # noqa: S102 - the project's own solution
    built = []
    for name, description, edits in MISTAKES.get(exercise, []):
        try:
            namespace = {"__name__": f"_autograder_mistake_{exercise}_{name}"}
            exec(compile(apply_mistake(source, description, edits, name), f"<mistake {exercise}/{name}>", "exec"),  # noqa: S102 - the project's own solution
                 namespace)
        except Exception:  # noqa: BLE001 - a stale mistake is simply not diagnosed
            continue
        changed = frozenset(key for key, value in namespace.items() if isinstance(value, types.FunctionType)
                            and _code_key(value.__code__) != _code_key(getattr(solution.get(key), "__code__", None)))
        built.append((description, InProcessSubmission(namespace, exercise), changed))
    return tuple(built)


def _code_key(code: Any) -> Any:
    """What a function computes, without its line numbers: bytecode, constants (nested code too), names."""
    if code is None:
        return None
    consts = tuple(_code_key(c) if hasattr(c, "co_code") else c for c in code.co_consts)
    return code.co_code, consts, code.co_names


def _reaches(namespace: dict, function: str) -> set[str]:
    """The module functions ``function`` calls, directly or through others (and itself): by the names its code uses."""
    seen, todo = set(), [function]
    while todo:
        name = todo.pop()
        code = getattr(namespace.get(name), "__code__", None)
        if name in seen or code is None:
            continue
        seen.add(name)
        stack = [code]
        while stack:
            current = stack.pop()
            todo.extend(current.co_names)
            stack.extend(c for c in current.co_consts if hasattr(c, "co_code"))
    return seen


def _failure_kind(message: str) -> str | None:
    """What a failed call observably did, from its message: raised (which type) or changed its inputs."""
    if "modified its inputs in place" in message:
        return "modified its inputs"
    raised = re.search(r"\(\) raised ([\w.]+)", message)
    return f"raised {raised.group(1)}" if raised else None


def _observe(probe: Callable[[Any], Any], proxy: Any) -> tuple[str | None, Any]:
    """What ``probe`` gives on ``proxy``: ``("value", v)``, or how it failed (a mistake's NaN warns nobody)."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return "value", probe(proxy)
    except CheckFailed as failure:
        return _failure_kind(str(failure)), None


def _same(a: tuple, b: tuple, rtol: float, atol: float, allow_alias: bool) -> bool:
    """Whether two observations agree: the same failure, or values within the (floored) tolerance.

    With ``allow_alias=False`` an output that aliases an input agrees only with a mistake that
    returns an input too (the flag travels with the student's tensors and the mistake's alike).
    """
    if a[0] is None or a[0] != b[0]:
        return False
    if a[0] != "value":
        return True
    if not allow_alias and _aliases(a[1]) != _aliases(b[1]):
        return False
    try:
        expect_close(a[1], b[1], rtol=max(rtol, 1e-9), atol=max(atol, 1e-12))
    except CheckFailed:
        return False
    return True


def _aliases(value: Any) -> list[bool]:
    """Which tensors inside ``value`` came back flagged as one of the call's inputs."""
    if _is_tensor(value):
        return [bool(getattr(value, "_autograder_flags", {}).get("aliases_input"))]
    if type(value) in (tuple, list, dict):
        return [flag for item in (value.values() if type(value) is dict else value) for flag in _aliases(item)]
    return []


def diagnose(failure: CheckFailed, reference: Any, probe: Callable[[Any], Any], *, got: Any = _MISSING,
             rtol: float, atol: float, function: str, allow_alias: bool = True) -> CheckFailed:
    """``failure`` with a "Likely mistake: " paragraph when the student's output equals a known mistake's.

    ``got`` is what the student's code returned (or nothing, when the failure is that it raised
    or changed its inputs); ``probe(proxy)`` computes the same thing with the reference's API,
    and is run on every catalogued mistake of the exercise (in this process) and on the
    reference (an output the reference gives too names no mistake). Never raises: a diagnosis
    that cannot be made leaves the message as it was.
    """
    observed = ("value", got) if got is not _MISSING else (_failure_kind(str(failure)), None)
    path = getattr(getattr(reference, "module", None), "__file__", None)
    if observed[0] is None or path is None:
        return failure
    try:
        if _same(observed, _observe(probe, reference), rtol, atol, allow_alias):
            return failure
        reached = _reaches(vars(reference.module), function)  # only mistakes in code this call runs can explain it
        named = [description for description, proxy, changed in _mistakes(reference.exercise, path)
                 if changed & reached and _same(observed, _observe(probe, proxy), rtol, atol, allow_alias)]
    except Exception:  # noqa: BLE001 - a diagnosis must never break the check it explains
        return failure
    if not named:
        return failure
    which = named[0] if len(named) == 1 else " Or: ".join(named[:2])
    text = str(failure)
    text = text if len(text) <= 2400 else text[:2400] + " ... [cut]"  # the report keeps 3000 characters
    how = {"value": "returns exactly what that mistake gives", "modified its inputs": "changes its arguments as that "
           "mistake does"}.get(observed[0], f"{observed[0].replace('raised', 'raises')} as that mistake does")
    return CheckFailed(f"{text}\n\n{LIKELY}{which} (On this input, {function}() {how}: look there first.)")

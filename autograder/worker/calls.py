"""Executing one call on private copies: the result, the requested gradients, the inputs changed in place.

Shared by the sandboxed worker (``serve``) and the in-process proxy (``autograder.oracle``), so a
hidden check sees the same replies from both. A reply never carries the student's objects, only
what ``wire.encode`` makes of them, and an exception only as ``describe_error``'s bounded record
(the student's own frames, never the worker's).
"""

from __future__ import annotations

import os
import traceback
from typing import Any

import numpy as np

from .shortcuts import ForbiddenShortcut
from .wire import decode, encode, loaded_torch

WORKER_DIRECTORY = os.path.dirname(os.path.abspath(__file__))
"""Frames of files in here are the worker's, left out of the tracebacks students see."""


def _walk_tensors(value, path=()):
    """Yield ``(path, tensor)`` for every tensor inside nested lists/tuples/dicts."""
    torch = loaded_torch()
    if torch is not None and isinstance(value, torch.Tensor):
        yield path, value
    elif type(value) in (list, tuple):
        for index, item in enumerate(value):
            yield from _walk_tensors(item, path + (index,))
    elif type(value) is dict:
        for key, item in value.items():
            yield from _walk_tensors(item, path + (key,))


def _walk_arrays(value, path=()):
    """Yield ``(path, array)`` for every tensor and NumPy array inside nested lists/tuples/dicts."""
    if type(value) is np.ndarray:
        yield path, value
    elif type(value) in (list, tuple, dict):
        items = value.items() if type(value) is dict else enumerate(value)
        for key, item in items:
            yield from _walk_arrays(item, path + (key,))
    else:
        yield from _walk_tensors(value, path)


def _get(value, path):
    for key in path:
        value = value[key]
    return value


def execute(function, args: list, kwargs: dict, grad: dict | None) -> tuple[Any, list, list, list]:
    """Call ``function(*args, **kwargs)`` on private copies; return ``(result, inputs, grads, modified)``.

    ``grad`` (optional) = ``{"wrt": [path, ...], "upstream": value}``: the argument tensors at
    those paths require gradients, and the reply carries d(sum(result * upstream))/d(tensor) for
    each of them (``None`` where the result does not depend on it). ``modified`` lists the paths
    of argument tensors the call changed in place.
    """
    torch = loaded_torch()
    arguments = [args, kwargs]
    inputs = [tensor for _, tensor in _walk_tensors(arguments)]
    leaves = []
    if grad:
        for path in grad["wrt"]:
            leaf = _get(args, path)
            leaf.requires_grad_(True)
            leaves.append(leaf)
    # after the leaves: a clone keeps requires_grad, so detach_() / requires_grad_() count as changes
    before = [(path, array.clone() if type(array) is not np.ndarray else array.copy())
              for path, array in _walk_arrays(arguments)]
    result = function(*args, **kwargs)
    grads = []
    if grad:
        upstream = grad["upstream"]
        pairs = list(zip(_walk_tensors(result), _walk_tensors(upstream)))
        if len(pairs) != len(list(_walk_tensors(upstream))) or any(p != q for (p, _), (q, _) in pairs):
            raise TypeError("the result does not have the structure (tuple of tensors) the exercise asks for")
        outputs = [out for (_, out), _ in pairs if out.requires_grad]
        weights = [weight for (_, out), (_, weight) in pairs if out.requires_grad]
        if outputs:
            loss = sum((out * weight).sum() for out, weight in zip(outputs, weights))
            grads = list(torch.autograd.grad(loss, leaves, allow_unused=True))
        else:
            grads = [None] * len(leaves)
    modified = [list(path) for path, old in before if not _unchanged(old, _get(arguments, path))]
    return result, inputs, grads, modified


def _unchanged(old, new) -> bool:
    """Bitwise the same values (NaN equal to NaN), dtype and shape."""
    if type(old) is np.ndarray:
        if type(new) is not np.ndarray or new.dtype != old.dtype or new.shape != old.shape:
            return False
        return bool(np.array_equal(new, old, equal_nan=old.dtype.kind in "fc"))
    torch = loaded_torch()
    if new.dtype != old.dtype or new.shape != old.shape or new.requires_grad != old.requires_grad:
        return False
    old, new = old.detach(), new.detach()
    if old.is_floating_point():
        return bool(torch.allclose(new, old, rtol=0.0, atol=0.0, equal_nan=True))
    return bool(torch.equal(new, old))


def run_call(module, header: dict, arrays: dict) -> tuple[dict, dict]:
    """Decode one call request, execute it on ``module`` and encode the reply."""
    reply_arrays: dict[str, np.ndarray] = {}
    try:
        args = decode(header["args"], arrays)
        kwargs = decode(header["kwargs"], arrays)
        grad = None
        if header.get("grad"):
            grad = {"wrt": header["grad"]["wrt"], "upstream": decode(header["grad"]["upstream"], arrays)}
        name = header["function"]
        function = getattr(module, name, None)
        if function is None:
            return {"status": "missing", "function": name}, {}
        if not callable(function):
            return {"status": "missing", "function": name, "detail": "not callable"}, {}
        result, inputs, grads, modified = execute(function, args, kwargs, grad)
        reply = {
            "status": "ok",
            "result": encode(result, reply_arrays, inputs),
            "grads": [encode(g, reply_arrays) for g in grads],
            "modified": modified,
        }
        return reply, reply_arrays
    except BaseException as error:  # noqa: BLE001 - student code may raise anything, even SystemExit
        return {"status": "error", "error": describe_error(error)}, {}


def describe_error(error: BaseException) -> dict:
    """Exception type, message and the student's own frames (no grader frames, bounded size)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if os.path.dirname(os.path.abspath(f.filename)) != WORKER_DIRECTORY]
    lines = traceback.format_list(frames[-6:])
    try:
        message = str(error)
    except BaseException:  # noqa: BLE001 - a lying __str__
        message = "<unprintable message>"
    return {
        "type": type(error).__name__,
        "message": message[:2000],
        "traceback": "".join(lines)[-4000:],
        "forbidden": isinstance(error, ForbiddenShortcut),
    }

"""The untrusted side of the oracle: import one student module and compute what the grader asks.

This file is the only autograder code that ever runs next to student code. The grader copies it
into the sandbox (bubblewrap) and starts it as a script (the fork server, ``zygote``, at the end
of this file), so it imports nothing but the standard library, NumPy and (when asked) PyTorch;
the ``autograder`` package itself is not visible there.
The same functions also serve the in-process proxy (nbgrader's trust model), so both paths encode,
call and decode identically.

Wire format (both directions): an 8-byte big-endian length, then an *uncompressed* ``.npz``
archive holding ``__header__`` (UTF-8 JSON as a ``uint8`` array) and one array per tensor. Values
travel as tagged JSON trees (``{"type": "tensor", "ref": "t0", "dtype": "float32", ...}``), so
nothing is ever pickled: the grader reads replies with ``allow_pickle=False`` and checks every
node's type, dtype and shape (see ``decode``). Whatever the student's code does to this process
(monkeypatching, lying objects, printing, writing files) can only change the bytes of its own
replies, which the trusted grader validates and compares with the reference.

References: NumPy's ``.npz`` format (``numpy.lib.format``); the "oracle" split of PrairieLearn's
and otter-grader's designs, done here without pickles (see docs/grading.md).
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import io
import json
import os
import struct
import sys
import traceback
import zipfile
from typing import Any

import numpy as np

MAX_MESSAGE_BYTES = 256 * 1024 * 1024
"""Largest message either side accepts (the grader refuses bigger replies unread)."""
MAX_TREE_NODES = 100_000
"""Most nodes in one value tree (deeply nested or huge replies are refused)."""
MAX_TREE_DEPTH = 32
"""Deepest nesting of lists/tuples/dicts in one value tree."""
MAX_STRING_CHARS = 100_000
"""Longest string value accepted in a reply."""
TENSOR_DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")
"""Tensor/array dtypes the wire carries (everything the exercises use)."""


class ProtocolError(Exception):
    """A message that does not follow the wire format (corrupted, forged, or too large)."""


class ForbiddenShortcut(RuntimeError):
    """Raised inside the worker when student code touches something the exercise forbids."""


# ----------------------------------------------------------------------------------------------
# Encoding: Python values -> (JSON tree, arrays)
# ----------------------------------------------------------------------------------------------


def _torch():
    """PyTorch if this process already imported it (the worker never imports it just to encode)."""
    return sys.modules.get("torch")


def encode(value: Any, arrays: dict[str, np.ndarray], inputs: list | None = None) -> dict:
    """Turn ``value`` into a tagged JSON tree, storing array data in ``arrays``.

    Only exact built-in types, ``torch.Tensor`` and ``numpy.ndarray`` carry data; subclasses
    (a tensor subclass, an ``int`` with a lying ``__eq__``) are described by class name only, so
    the grader can say what was returned without trusting it. ``inputs`` lists the argument
    tensors: a returned tensor sharing memory with one of them is flagged ``aliases_input``.
    """
    torch = _torch()
    kind = type(value)
    if value is None:
        return {"type": "none"}
    if kind is bool or kind is np.bool_:
        return {"type": "bool", "value": bool(value)}
    if kind is int or (isinstance(value, np.integer) and kind.__module__ == "numpy"):
        return {"type": "int", "value": str(int(value)), "origin": kind.__name__}
    if kind is float or (isinstance(value, np.floating) and kind.__module__ == "numpy"):
        return {"type": "float", "value": float(value).hex(), "origin": kind.__name__}
    if kind is str:
        return {"type": "str", "value": value}
    if kind in (list, tuple):
        return {"type": kind.__name__, "items": [encode(item, arrays, inputs) for item in value]}
    if kind is dict:
        return {"type": "dict", "items": [[encode(k, arrays), encode(v, arrays, inputs)] for k, v in value.items()]}
    if kind is np.ndarray:
        if value.dtype.name not in TENSOR_DTYPES:
            return {"type": "unsupported", "class": f"numpy.ndarray[{value.dtype.name}]"}
        ref = f"a{len(arrays)}"
        arrays[ref] = np.ascontiguousarray(value)
        return {"type": "ndarray", "ref": ref, "dtype": value.dtype.name, "shape": list(value.shape)}
    if torch is not None and isinstance(value, torch.Tensor):
        if kind is not torch.Tensor and kind is not torch.nn.Parameter:
            return {"type": "unsupported", "class": f"{kind.__module__}.{kind.__qualname__} (a torch.Tensor subclass)"}
        dtype = str(value.dtype).removeprefix("torch.")
        if dtype not in TENSOR_DTYPES or value.layout is not torch.strided:
            return {"type": "unsupported", "class": f"torch.Tensor[{dtype}, {value.layout}]"}
        ref = f"a{len(arrays)}"
        arrays[ref] = value.detach().cpu().contiguous().numpy().copy()
        aliases = any(_shares_memory(value, t) for t in inputs or [])
        return {
            "type": "tensor",
            "ref": ref,
            "dtype": dtype,
            "shape": list(value.shape),
            "requires_grad": bool(value.requires_grad),
            "grad_fn": value.grad_fn is not None,
            "aliases_input": aliases,
        }
    return {"type": "unsupported", "class": f"{kind.__module__}.{kind.__qualname__}"}


def _shares_memory(a, b) -> bool:
    """Whether tensors ``a`` and ``b`` overlap in memory (the student returned an input)."""
    try:
        return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr() and a.numel() > 0
    except Exception:  # noqa: BLE001 - an exotic tensor: not an alias of ours
        return False


# ----------------------------------------------------------------------------------------------
# Decoding: (JSON tree, arrays) -> Python values, validating every node
# ----------------------------------------------------------------------------------------------


class Returned:
    """What a decoded node was on the wire (kept beside tensors for the checks' messages)."""

    def __init__(self, node: dict):
        self.node = node


class Unsupported:
    """A returned object the wire does not carry (a subclass, a module, a lambda ...)."""

    def __init__(self, class_name: str):
        self.class_name = class_name

    def __repr__(self) -> str:
        return f"<object of type {self.class_name}>"


def decode(tree: Any, arrays: dict[str, np.ndarray], tensors: bool = True) -> Any:
    """Rebuild a value from a tree, raising ``ProtocolError`` on anything malformed.

    Tensors come back as fresh ``torch.Tensor`` objects (``tensors=True``) carrying the flags
    ``_autograder_flags`` (requires_grad, grad_fn, aliases_input) as a plain dict attribute.
    """
    budget = [MAX_TREE_NODES]
    return _decode(tree, arrays, tensors, budget, 0)


def _decode(tree, arrays, tensors, budget, depth):
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_TREE_DEPTH:
        raise ProtocolError("value tree too large or too deeply nested")
    if type(tree) is not dict or type(tree.get("type")) is not str:
        raise ProtocolError("malformed value node")
    kind = tree["type"]
    if kind == "none":
        return None
    if kind == "bool":
        return _field(tree, "value", bool)
    if kind == "int":
        text = _field(tree, "value", str)
        if len(text) > 4000:
            raise ProtocolError("integer too long")
        try:
            return int(text)
        except ValueError as error:
            raise ProtocolError("malformed integer") from error
    if kind == "float":
        try:
            return float.fromhex(_field(tree, "value", str))
        except (ValueError, OverflowError) as error:
            raise ProtocolError("malformed float") from error
    if kind == "str":
        text = _field(tree, "value", str)
        if len(text) > MAX_STRING_CHARS:
            raise ProtocolError("string too long")
        return text
    if kind in ("list", "tuple"):
        items = [_decode(item, arrays, tensors, budget, depth + 1) for item in _field(tree, "items", list)]
        return items if kind == "list" else tuple(items)
    if kind == "dict":
        result = {}
        for pair in _field(tree, "items", list):
            if type(pair) is not list or len(pair) != 2:
                raise ProtocolError("malformed dict item")
            key = _decode(pair[0], arrays, tensors, budget, depth + 1)
            if type(key) not in (str, int, bool, float, tuple) and key is not None:
                raise ProtocolError("unhashable dict key")
            result[key] = _decode(pair[1], arrays, tensors, budget, depth + 1)
        return result
    if kind in ("tensor", "ndarray"):
        ref, dtype, shape = _field(tree, "ref", str), _field(tree, "dtype", str), _field(tree, "shape", list)
        array = arrays.get(ref)
        if array is None or dtype not in TENSOR_DTYPES or array.dtype.name != dtype:
            raise ProtocolError(f"array {ref!r} missing or of the wrong dtype")
        if [int(s) for s in shape] != list(array.shape) or not all(type(s) is int for s in shape):
            raise ProtocolError(f"array {ref!r} has a shape that differs from its header")
        if kind == "ndarray" or not tensors:
            return array.copy()
        import torch

        tensor = torch.from_numpy(array.copy())
        flags = {name: bool(tree.get(name, False)) for name in ("requires_grad", "grad_fn", "aliases_input")}
        tensor._autograder_flags = flags
        return tensor
    if kind == "unsupported":
        return Unsupported(str(_field(tree, "class", str))[:200])
    raise ProtocolError(f"unknown value type {kind!r}")


def _field(tree: dict, name: str, kind: type):
    value = tree.get(name)
    if type(value) is not kind:
        raise ProtocolError(f"field {name!r} should be {kind.__name__}")
    return value


# ----------------------------------------------------------------------------------------------
# Messages: header + arrays <-> bytes
# ----------------------------------------------------------------------------------------------


def pack(header: dict, arrays: dict[str, np.ndarray]) -> bytes:
    """Serialize one message: an uncompressed ``.npz`` with the JSON header as ``__header__``."""
    buffer = io.BytesIO()
    payload = {"__header__": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)}
    payload.update(arrays)
    np.savez(buffer, **payload)
    data = buffer.getvalue()
    return struct.pack(">Q", len(data)) + data


def unpack(data: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """Parse one message without unpickling anything; ``ProtocolError`` if it is not well formed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ProtocolError("reply is not an npz archive") from error
    if len(infos) > 10_000 or sum(info.file_size for info in infos) > MAX_MESSAGE_BYTES:
        raise ProtocolError("reply archive too large")
    if any(info.compress_type != zipfile.ZIP_STORED for info in infos):
        raise ProtocolError("reply archive is compressed (only stored members are accepted)")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (ValueError, OSError, KeyError, zipfile.BadZipFile, EOFError) as error:
        raise ProtocolError(f"reply archive unreadable: {error}") from error
    raw = arrays.pop("__header__", None)
    if raw is None or raw.dtype != np.uint8 or raw.ndim != 1:
        raise ProtocolError("reply without a header")
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ProtocolError("reply header is not JSON") from error
    if type(header) is not dict:
        raise ProtocolError("reply header is not an object")
    return header, arrays


def read_message(stream) -> bytes:
    """Read one length-prefixed message from a binary stream (``EOFError`` at end of stream)."""
    head = stream.read(8)
    if len(head) < 8:
        raise EOFError("stream closed")
    (length,) = struct.unpack(">Q", head)
    if length > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {length} bytes exceeds the limit")
    data = stream.read(length)
    if len(data) < length:
        raise EOFError("stream closed mid-message")
    return data


# ----------------------------------------------------------------------------------------------
# Executing one call (shared by the sandboxed worker and the in-process proxy)
# ----------------------------------------------------------------------------------------------


def _walk_tensors(value, path=()):
    """Yield ``(path, tensor)`` for every tensor inside nested lists/tuples/dicts."""
    torch = _torch()
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
    torch = _torch()
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
    torch = _torch()
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
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.endswith("worker.py")]
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


# ----------------------------------------------------------------------------------------------
# Shortcut blocking and module import
# ----------------------------------------------------------------------------------------------


class _BlockedImports(importlib.abc.MetaPathFinder):
    """Refuse to import the packages a submission must not use (rnnlm, autograder, solutions)."""

    def __init__(self, names: list[str], exercise: str):
        self.names, self.exercise = set(names), exercise

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in self.names:
            raise ForbiddenShortcut(
                f"importing {fullname!r} is not allowed in {self.exercise}: "
                "submissions must be written with torch, numpy, math and the standard library only"
            )
        return None


def block_shortcuts(forbidden: list[str], blocked_modules: list[str], exercise: str) -> list:
    """Replace each dotted name in ``forbidden`` by a stub raising ``ForbiddenShortcut``.

    Returns what ``restore_shortcuts`` needs to undo it (the in-process proxy restores after
    each call; the sandboxed worker never does).
    """
    undo: list = []
    if blocked_modules:
        finder = _BlockedImports(blocked_modules, exercise)
        sys.meta_path.insert(0, finder)
        undo.append((None, finder, None))
    for dotted in forbidden:
        owner_name, _, attribute = dotted.rpartition(".")
        owner = sys.modules.get(owner_name)
        if owner is None:
            try:
                owner = importlib.import_module(owner_name)
            except ImportError:
                continue
        if not hasattr(owner, attribute):
            continue

        def refuse(*args, _name=dotted, **kwargs):
            raise ForbiddenShortcut(f"{_name} is not allowed in {exercise}: implement it from the equations")

        original = getattr(owner, attribute)
        try:
            setattr(owner, attribute, refuse)
        except (AttributeError, TypeError):
            continue
        undo.append((owner, attribute, original))
    return undo


def restore_shortcuts(undo: list) -> None:
    """Undo ``block_shortcuts``."""
    for owner, attribute, original in reversed(undo):
        if owner is None:
            if attribute in sys.meta_path:
                sys.meta_path.remove(attribute)
        else:
            setattr(owner, attribute, original)


def import_student_module(path: str, name: str):
    """Import the student's file under ``name``; non-UTF-8 source gets a clear error."""
    with open(path, "rb") as handle:
        source = handle.read()
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SyntaxError(
            f"{os.path.basename(path)} is not valid UTF-8 (byte 0x{source[error.start]:02x} at offset "
            f"{error.start}): save the file as UTF-8"
        ) from None
    code = compile(text, path, "exec", dont_inherit=True)
    module = type(sys)(name)
    module.__file__ = path
    sys.modules[name] = module
    exec(code, module.__dict__)  # noqa: S102 - this is the sandboxed worker: running it is the point
    return module


def serve(read_fd: int, write_fd: int) -> int:
    """The worker's main loop: an ``init`` message, then one reply per ``call`` until EOF."""
    reader = os.fdopen(read_fd, "rb", buffering=0)
    writer = os.fdopen(write_fd, "wb", buffering=0)

    def receive():
        head = _read_exact(reader, 8)
        (length,) = struct.unpack(">Q", head)
        if length > MAX_MESSAGE_BYTES:
            raise ProtocolError("request too large")
        return unpack(_read_exact(reader, length))

    header, _ = receive()
    if header.get("import_torch"):
        import torch

        torch.set_num_threads(1)
    block_shortcuts(header.get("forbidden", []), header.get("blocked_modules", []), header["exercise"])
    try:
        module = import_student_module(header["module_path"], header["exercise"])
        functions = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_"))
        writer.write(pack({"status": "ready", "functions": functions}, {}))
    except BaseException as error:  # noqa: BLE001 - SystemExit, syntax errors, anything
        writer.write(pack({"status": "import_error", "error": describe_error(error)}, {}))
        return 0
    while True:
        try:
            header, arrays = receive()
        except EOFError:
            return 0
        reply, reply_arrays = run_call(module, header, arrays)
        reply["id"] = header.get("id")
        writer.write(pack(reply, reply_arrays))


def _read_exact(reader, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = reader.read(count - len(data))
        if not chunk:
            raise EOFError("stream closed")
        data += chunk
    return data


# ----------------------------------------------------------------------------------------------
# The fork server: import the heavy libraries once per sandbox, fork one worker per exercise
# ----------------------------------------------------------------------------------------------
#
# Importing PyTorch costs about 2.5 CPU-seconds, more than most exercises' checks. The sandbox
# therefore runs this "zygote" first: it imports NumPy and (when asked) PyTorch, runs no student
# code at all, and forks a fresh worker process for each exercise (and again after a worker had to
# be killed). Each child gets its pipes from the grader over the control socket (``SCM_RIGHTS``),
# its own session, its own resource limits, and its stdout/stderr on its own pipe; it waits for
# the grader's ``init`` message, so the grader can put it into its cgroup before any student code
# runs. Control messages are small JSON datagrams (the grader wrote them; nothing student-made
# ever reaches this loop).

CONTROL_BYTES = 64 * 1024


def zygote(control_fd: int) -> int:
    """Serve fork/wait/kill requests on the control socket until the grader closes it."""
    import socket

    control = socket.socket(fileno=control_fd)
    try:
        request = json.loads(control.recv(CONTROL_BYTES))
        if request.get("import_torch"):
            import torch

            torch.set_num_threads(1)
        control.send(json.dumps({"status": "ready", "pid": os.getpid()}).encode())
    except BaseException as error:  # noqa: BLE001 - report why the sandbox cannot serve, then stop
        control.send(json.dumps({"status": "error", "error": f"{type(error).__name__}: {error}"}).encode())
        return 1
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, CONTROL_BYTES, 3)
        except OSError:
            return 0
        if not message:
            return 0
        request = json.loads(message)
        if request["op"] == "fork":
            pid = os.fork()
            if pid == 0:
                control.close()
                os._exit(_forked_worker(fds, request["limits"]))
            for fd in fds:
                os.close(fd)
            reply = {"pid": pid}
        elif request["op"] == "wait":
            reply = {"status": _reap(request["pid"], blocking=False)}
        elif request["op"] == "kill":
            for kill in (os.killpg, os.kill):  # the worker's session (its own process group), then itself
                try:
                    kill(request["pid"], 9)
                except (ProcessLookupError, PermissionError):
                    pass
            reply = {"status": _reap(request["pid"], blocking=True)}
        else:
            reply = {"error": f"unknown op {request['op']!r}"}
        control.send(json.dumps(reply).encode())


def _reap(pid: int, blocking: bool):
    """Exit code of a finished child (negative: killed by that signal), ``None`` while it runs."""
    try:
        done, status = os.waitpid(pid, 0 if blocking else os.WNOHANG)
    except ChildProcessError:
        return "gone"
    return os.waitstatus_to_exitcode(status) if done else None


def _forked_worker(fds: list[int], limits: dict) -> int:
    """In the forked child: own session, own output pipe, own limits, then ``serve``."""
    import resource
    import signal

    read_fd, write_fd, output_fd = fds
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    for name, (soft, hard) in limits.items():  # lowering only: the sandbox has no capability to raise them
        resource.setrlimit(getattr(resource, name), (soft, hard))
    try:
        code = serve(read_fd, write_fd)
    except BaseException:  # noqa: BLE001 - the grader saw the pipe close; nothing else to say
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - student code may have replaced or closed them
            pass
    return code


if __name__ == "__main__":
    sys.exit(zygote(int(sys.argv[1])))

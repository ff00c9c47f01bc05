"""The wire format of the oracle: Python values <-> data-only messages, validated on the way in.

A message is an *uncompressed* ``.npz`` archive holding ``__header__`` (UTF-8 JSON as a
``uint8`` array) and one array per tensor. Values travel as tagged JSON trees
(``{"type": "tensor", "ref": "a0", "dtype": "float32", ...}``), so nothing is ever pickled: the
grader reads replies with ``allow_pickle=False`` and checks every node's type, dtype and shape
(``decode``). Whatever the student's code does to its process can only change the bytes of its
own replies, which the trusted grader validates and compares with the reference. On a pipe each
message is length-prefixed (``framing``).

References: NumPy's ``.npz`` format (``numpy.lib.format``).
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from typing import Any

import numpy as np

from .framing import MAX_MESSAGE_BYTES, ProtocolError

MAX_TREE_NODES = 100_000
"""Most nodes in one value tree (deeply nested or huge replies are refused)."""
MAX_TREE_DEPTH = 32
"""Deepest nesting of lists/tuples/dicts in one value tree."""
MAX_STRING_CHARS = 100_000
"""Longest string value accepted in a reply."""
TENSOR_DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")
"""Tensor/array dtypes the wire carries (everything the exercises use)."""


# -- Encoding: Python values -> (JSON tree, arrays) --------------------------------------------


def loaded_torch():
    """PyTorch if this process already imported it (the worker never imports it just to encode)."""
    return sys.modules.get("torch")


def encode(value: Any, arrays: dict[str, np.ndarray], inputs: list | None = None) -> dict:
    """Turn ``value`` into a tagged JSON tree, storing array data in ``arrays``.

    Only exact built-in types, ``torch.Tensor`` and ``numpy.ndarray`` carry data; subclasses
    (a tensor subclass, an ``int`` with a lying ``__eq__``) are described by class name only, so
    the grader can say what was returned without trusting it. ``inputs`` lists the argument
    tensors: a returned tensor sharing memory with one of them is flagged ``aliases_input``.
    """
    torch = loaded_torch()
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


# -- Decoding: (JSON tree, arrays) -> Python values, validating every node ---------------------


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


# -- Messages: header + arrays <-> bytes -------------------------------------------------------


def pack(header: dict, arrays: dict[str, np.ndarray]) -> bytes:
    """Serialize one message: an uncompressed ``.npz`` with the JSON header as ``__header__``."""
    buffer = io.BytesIO()
    payload = {"__header__": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)}
    payload.update(arrays)
    np.savez(buffer, **payload)
    return buffer.getvalue()


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

"""The untrusted side of the oracle: import one student module and compute what the grader asks.

This package is the only autograder code that ever runs next to student code. The grader copies
its files into the sandbox (``autograder.sandbox``), where they are imported as the top-level
package ``worker`` (the ``autograder`` package itself is not visible there), so its modules
import one another relatively and use nothing but the standard library, NumPy and (when asked)
PyTorch. The same functions also serve the in-process proxy (nbgrader's trust model), so both
paths encode, call and decode identically. One concern per module, in the order a request meets
them:

- ``framing``: length-prefixed messages on a byte stream (both ends of the pipes);
- ``wire``: values <-> data-only ``.npz`` messages, validated node by node (``encode``/``decode``,
  ``pack``/``unpack``);
- ``shortcuts``: forbidden library functions and packages (``block_shortcuts``);
- ``calls``: one call on private copies, with gradients and in-place changes (``run_call``);
- ``serve``: the worker's loop over one student module;
- ``zygote``: the fork server that imports PyTorch once and forks a worker per exercise.

References: NumPy's ``.npz`` format (``numpy.lib.format``); the "oracle" split of PrairieLearn's
and otter-grader's designs, done here without pickles (see docs/grading.md).
"""

from .calls import describe_error, execute, run_call
from .framing import MAX_MESSAGE_BYTES, ProtocolError, read_frame, write_frame
from .shortcuts import ForbiddenShortcut, block_shortcuts, restore_shortcuts
from .wire import (
    MAX_STRING_CHARS,
    MAX_TREE_DEPTH,
    MAX_TREE_NODES,
    TENSOR_DTYPES,
    Unsupported,
    decode,
    encode,
    pack,
    unpack,
)

__all__ = [
    "MAX_MESSAGE_BYTES", "MAX_STRING_CHARS", "MAX_TREE_DEPTH", "MAX_TREE_NODES", "TENSOR_DTYPES",
    "ForbiddenShortcut", "ProtocolError", "Unsupported", "block_shortcuts", "decode", "describe_error",
    "encode", "execute", "pack", "read_frame", "restore_shortcuts", "run_call", "unpack", "write_frame",
]

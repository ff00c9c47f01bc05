"""The worker's serve loop: import one student module, then answer one call after another.

Requests and replies are ``wire`` messages on two pipes, framed by ``framing``. The first request
(``init``) names the student's file, the forbidden shortcuts and whether to import PyTorch; the
reply lists the module's public functions, or the import error. Every later request is one call
(``calls.run_call``); its reply carries the request's id, so the grader can tell a stray or
forged write from the answer. The loop ends when the grader closes the request pipe.
"""

from __future__ import annotations

import os
import sys

from .calls import describe_error, run_call
from .framing import read_frame, write_frame
from .shortcuts import block_shortcuts
from .wire import pack, unpack


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

    def receive() -> tuple[dict, dict]:
        return unpack(read_frame(lambda count: os.read(read_fd, count)))

    def send(header: dict, arrays: dict) -> None:
        write_frame(lambda view: os.write(write_fd, view), pack(header, arrays))

    header, _ = receive()
    if header.get("import_torch"):
        import torch

        torch.set_num_threads(1)
    block_shortcuts(header.get("forbidden", []), header.get("blocked_modules", []), header["exercise"])
    try:
        module = import_student_module(header["module_path"], header["exercise"])
        functions = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_"))
        send({"status": "ready", "functions": functions}, {})
    except BaseException as error:  # noqa: BLE001 - SystemExit, syntax errors, anything
        send({"status": "import_error", "error": describe_error(error)}, {})
        return 0
    while True:
        try:
            header, arrays = receive()
        except EOFError:
            return 0
        reply, reply_arrays = run_call(module, header, arrays)
        reply["id"] = header.get("id")
        send(reply, reply_arrays)

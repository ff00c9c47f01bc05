"""Length-prefixed messages over a byte stream: the one framing of the grader-worker pipes.

A message is an 8-byte big-endian length, then that many bytes (the ``.npz`` archive of
``wire.pack``). Both ends use these two functions: the worker's serve loop with blocking reads
and writes, the grader's pipe client (``autograder.sandbox.client``) with reads and writes
bounded by ``select`` and a deadline. Each passes its own ``read``/``write``, so the framing
itself never blocks, times out or names a file descriptor.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

PREFIX = struct.Struct(">Q")
"""The length of the message that follows: 8 bytes, big-endian, unsigned."""
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
"""Largest message either side accepts (a bigger one is refused before it is read)."""


class ProtocolError(Exception):
    """A message that does not follow the wire format (corrupted, forged, or too large)."""


def write_frame(write: Callable[[memoryview], int], payload: bytes) -> None:
    """Send ``payload`` with its length prefix; ``write(view)`` sends a prefix of ``view``, returns its size."""
    view = memoryview(PREFIX.pack(len(payload)) + payload)
    while view:
        view = view[write(view):]


def read_frame(read: Callable[[int], bytes]) -> bytes:
    """Receive one message; ``read(n)`` returns 1 to ``n`` bytes, or ``b""`` at the end of the stream.

    Raises:
        EOFError: the stream ended before or inside the message.
        ProtocolError: the announced length exceeds ``MAX_MESSAGE_BYTES``.
    """
    (length,) = PREFIX.unpack(_read_exactly(read, PREFIX.size))
    if length > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"a message of {length} bytes exceeds the limit of {MAX_MESSAGE_BYTES} bytes")
    return _read_exactly(read, length)


def _read_exactly(read: Callable[[int], bytes], count: int) -> bytes:
    data = bytearray()
    while len(data) < count:
        chunk = read(count - len(data))
        if not chunk:
            raise EOFError("stream closed" + (" inside a message" if data else ""))
        data += chunk
    return bytes(data)

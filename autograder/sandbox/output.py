"""What a sandboxed process printed: drained by a thread so it never blocks, and capped."""

from __future__ import annotations

import threading


class CappedOutput:
    """What a process printed, drained by a thread and capped (the rest is counted, not kept)."""

    def __init__(self, limit: int):
        self.limit, self.kept, self.total = limit, bytearray(), 0

    def drain(self, stream) -> None:
        """Read ``stream`` (a binary file object) to its end in a daemon thread, then close it."""
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        with stream:
            while True:
                chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
                if not chunk:
                    return
                self.total += len(chunk)
                room = self.limit - len(self.kept)
                if room > 0:
                    self.kept += chunk[:room]

    def text(self) -> str:
        """The kept output, with a note of how much was dropped."""
        text = bytes(self.kept).decode("utf-8", "replace")
        if self.total > len(self.kept):
            text += f"\n... [{self.total - len(self.kept)} more bytes of output dropped]"
        return text

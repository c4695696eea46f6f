"""An actor's keyboard: its ``sys.stdin``, read in traced calls.

What it reads comes from the conductor: lines typed in the TUI (``keys`` messages, see
:mod:`netlab.core.wire`), or the text given with ``--input``, which is followed by the end of
input, as a file given with ``<`` would be. A read that finds too little waits, as it would at a
terminal, in a traced call (``readline``, ``read``) that the conductor sees waiting for the
keyboard. ``input()`` reads through ``readline``.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netlab.core.shim import Tracer


class Keyboard(io.TextIOBase):
    def __init__(self, tracer: Tracer, given: str | None = None) -> None:
        self._tracer = tracer
        self._text = given or ""
        self.ended = given is not None  # the end of input: reads find what is left, then ''
        # A pipe whose reading end is readable while something can be read: what select(),
        # poll() and selectors watch (a chat client waits for its socket and its keyboard).
        self._signal: tuple[int, int] | None = None

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def readable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        if self._signal is None:
            self._signal = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
            self._show()
        return self._signal[0]

    def feed(self, text: str, end: bool = False) -> None:
        """What was typed (``end``: then Ctrl-D)."""
        self._text += text
        self.ended = self.ended or end
        self._show()

    def _show(self) -> None:
        """Keep one byte in the pipe while a read would find something, none otherwise."""
        if self._signal is None:
            return
        readable, writable = self._signal
        with contextlib.suppress(BlockingIOError):
            os.read(readable, 16)
        if self._text or self.ended:
            os.write(writable, b".")

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        limit = -1 if size is None or size < 0 else size
        return self._read("readline", [] if limit < 0 else [limit], lambda: self._line(limit))

    def read(self, size: int | None = -1) -> str:
        limit = -1 if size is None or size < 0 else size
        return self._read("read", [] if limit < 0 else [limit], lambda: self._chars(limit))

    def _line(self, limit: int) -> int | None:
        """How many characters the next line takes, or None while it is still being typed."""
        end = self._text.find("\n")
        if end >= 0 and (limit < 0 or end < limit):
            return end + 1
        if limit >= 0 and len(self._text) >= limit:
            return limit
        return len(self._text) if self.ended else None

    def _chars(self, limit: int) -> int | None:
        if limit >= 0 and len(self._text) >= limit:
            return limit
        return len(self._text) if self.ended else None

    def _read(self, op: str, args: list[int], available: Callable[[], int | None]) -> str:
        """Take what ``available`` says can be read, waiting in a traced call until it can."""
        tracer = self._tracer
        if not tracer.tracing():  # a thread started before the lab, a forked child: no waiting
            return self._take(available() or 0)

        def attempt(timed_out: bool) -> str:
            count = available()
            if count is None:
                raise BlockingIOError
            return self._take(count)

        text: str = tracer.call(
            op,
            args,
            None,
            attempt,
            timeout=None,
            ready=lambda wait: available() is not None,
            data=lambda text: text.encode(errors="backslashreplace"),
            result=lambda text: text,
        )
        return text

    def _take(self, count: int) -> str:
        taken, self._text = self._text[:count], self._text[count:]
        self._show()
        return taken

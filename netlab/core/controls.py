"""Controls from any thread — step, play, pause, pace, stop, typing — queued for the conductor.

The conductor's thread takes them at its decision points; a command wakes it wherever it
waits, through a socket pair whose reading end it watches (:meth:`Controls.fileno`).
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass

STEP, PLAY, RUN = "step", "play", "run"
MODES = (STEP, PLAY, RUN)

_GRANT, _STOP, _PACE, _KEYS = "grant", "stop", "pace", "keys"


class StopRequested(Exception):
    """Someone asked the lab to stop."""


@dataclass
class Pacing:
    """What the commands so far have made of the run: its mode, pace and grants in hand."""

    mode: str
    pace: float
    grants: int = 0


@dataclass(frozen=True)
class Typed:
    """What a person typed into an actor's keyboard (``end``: then Ctrl-D, the end of input)."""

    actor: str
    text: str
    end: bool = False


class Controls:
    def __init__(self, mode: str, pace: float) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.pacing = Pacing(mode, max(0.0, pace))
        self._commands: deque[tuple[str, object]] = deque()
        self.typed: list[Typed] = []  # taken, not yet handed to the actors (see Stage)
        self._lock = threading.Lock()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)

    # -- from any thread ----------------------------------------------------------------------

    def step(self) -> None:
        """Grant one step (step mode)."""
        self._command(_GRANT)

    def set_mode(self, mode: str) -> None:
        """Switch between step and play; run mode is chosen when the lab is made."""
        if mode not in (STEP, PLAY) or self.pacing.mode == RUN:
            raise ValueError("only step and play can be switched while a lab runs")
        self._command(mode)

    def set_pace(self, seconds: float) -> None:
        self._command(_PACE, max(0.0, seconds))

    def stop(self) -> None:
        self._command(_STOP)

    def type(self, actor: str, text: str, end: bool = False) -> None:
        """Type ``text`` into the actor's keyboard (``end``: then Ctrl-D)."""
        self._command(_KEYS, Typed(actor, text, end))

    def _command(self, name: str, value: object = None) -> None:
        with self._lock:
            self._commands.append((name, value))
        with contextlib.suppress(OSError):  # OSError: the lab has finished
            self._wake_writer.send(b"!")

    # -- the conductor's thread ---------------------------------------------------------------

    def fileno(self) -> int:
        """Readable when a command waits."""
        return self._wake_reader.fileno()

    def pending(self) -> bool:
        return bool(self._commands)

    def take(self) -> None:
        """Apply the commands that wait; raise :class:`StopRequested` on stop."""
        with contextlib.suppress(BlockingIOError):
            while self._wake_reader.recv(4096):
                pass
        with self._lock:
            commands, self._commands = list(self._commands), deque()
        pacing = self.pacing
        for name, value in commands:
            if name == _STOP:
                raise StopRequested
            if name == _GRANT:
                pacing.grants += 1
            elif name == _KEYS:
                self.typed.append(value)  # type: ignore[arg-type]
            elif name == _PACE:
                pacing.pace = float(value)  # type: ignore[arg-type]
            else:
                pacing.mode = name

    def await_grant(self) -> float:
        """In step and play modes, wait until the user (or the pace) grants the next step;
        the seconds waited."""
        pacing = self.pacing
        if pacing.mode == RUN:
            return 0.0
        waited_from = time.perf_counter()
        while True:
            if pacing.grants > 0:
                pacing.grants -= 1
                break
            timeout = pacing.pace if pacing.mode == PLAY else None
            if not self.wait(timeout) and pacing.mode == PLAY:
                break
        return time.perf_counter() - waited_from

    def await_typing(self) -> float:
        """Wait until something is typed (a program waits for its keyboard, and nothing else
        can happen); the seconds waited. Steps granted meanwhile are not kept: the step that
        was granted is the one that waited."""
        waited_from = time.perf_counter()
        while not self.typed:
            self.wait(None)
        self.pacing.grants = 0
        return time.perf_counter() - waited_from

    def wait(self, timeout: float | None) -> bool:
        """Wait for a command and take it; False if ``timeout`` passed first."""
        if not self._commands:
            with selectors.DefaultSelector() as ready:
                ready.register(self._wake_reader, selectors.EVENT_READ)
                if not ready.select(timeout):
                    return False
        self.take()
        return True

    def close(self) -> None:
        self._wake_reader.close()
        self._wake_writer.close()

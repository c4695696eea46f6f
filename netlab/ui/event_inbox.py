"""Events handed over from any thread to the UI, which takes them in batches."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from netlab.core.events import Event

# Events that may wait untaken: past that, the thread that puts them waits for the UI (a lab
# played at full speed goes at the pace the screen can follow, and memory stays bounded).
MOST_WAITING = 20_000


class EventInbox:
    """Put events from any thread; ``notify`` is called once for each batch that waits, however
    many events it holds, until the batch is taken."""

    def __init__(self, most: int = MOST_WAITING) -> None:
        self._pending: deque[Event] = deque()
        self._most = most
        self._lock = threading.Lock()
        self._room = threading.Condition(self._lock)
        self._closed = False
        self._notify: Callable[[], object] = lambda: None
        self._notified = False

    def listen(self, notify: Callable[[], object]) -> None:
        self._notify = notify

    def put(self, event: Event) -> None:
        """Add ``event``; waits while ``most`` events wait already, until some are taken or
        the inbox is closed."""
        with self._room:
            while len(self._pending) >= self._most and not self._closed:
                self._room.wait()
            if self._closed:
                return  # nobody will take it
            self._pending.append(event)
        self.ring()

    def ring(self) -> None:
        """Say that something waits, unless already said since the last ``take()``."""
        with self._lock:
            if self._notified:
                return  # one message per batch: the screen takes everything waiting
            self._notified = True
        self._notify()

    def take(self) -> list[Event]:
        """Every event put since the last call."""
        with self._room:
            events = list(self._pending)
            self._pending.clear()
            self._notified = False
            self._room.notify_all()
        return events

    def close(self) -> None:
        """Nobody takes events any more: a thread waiting to put one goes on, and what is put
        from now on is let go."""
        with self._room:
            self._closed = True
            self._room.notify_all()

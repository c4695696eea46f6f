"""Events handed over from any thread to the UI, which takes them in batches."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from netlab.core.events import Event


class EventInbox:
    """Put events from any thread; ``notify`` is called once for each batch that waits, however
    many events it holds, until the batch is taken."""

    def __init__(self) -> None:
        self._pending: deque[Event] = deque()
        self._lock = threading.Lock()
        self._notify: Callable[[], object] = lambda: None
        self._notified = False

    def listen(self, notify: Callable[[], object]) -> None:
        self._notify = notify

    def put(self, event: Event) -> None:
        with self._lock:
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
        with self._lock:
            events = list(self._pending)
            self._pending.clear()
            self._notified = False
        return events

"""The virtual clock and what is due on it: what the link delivers, and when blocked calls
time out (DESIGN §2.2).

The clock moves only when told to (:meth:`Clock.advance`), which the scheduler does when no
actor can make progress without it; it then jumps to whatever comes first.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from typing import Any


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        # (when, order, actor, item): the link's deliveries, and the closes that follow them.
        # Ties go first come, first served.
        self._due: list[tuple[float, int, str, dict[str, Any]]] = []
        self._order = itertools.count()
        self._last_delivery: dict[str, float] = {}  # when a socket's last data arrives
        self._timeouts: dict[str, float] = {}  # when an actor's blocked call times out

    # -- deliveries ---------------------------------------------------------------------------

    def deliver(self, at: float, actor: str, item: dict[str, Any], sock_id: str) -> None:
        """At ``at``, hand ``actor`` (whose socket sent it) ``item`` to give the kernel."""
        heapq.heappush(self._due, (at, next(self._order), actor, item))
        self._last_delivery[sock_id] = max(at, self._last_delivery.get(sock_id, 0.0))

    def close_behind(self, actor: str, item: dict[str, Any], sock_id: str) -> None:
        """A close (or shutdown) of a socket, due once the data it still has on the link is."""
        at = max(self.now, self._last_delivery.get(sock_id, 0.0))
        heapq.heappush(self._due, (at, next(self._order), actor, item))

    def due(self) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """What is due by now, in order: one actor's consecutive items at a time."""
        heap = self._due
        while heap and heap[0][0] <= self.now:
            actor = heap[0][2]
            items = []
            while heap and heap[0][0] <= self.now and heap[0][2] == actor:
                items.append(heapq.heappop(heap)[3])
            yield actor, items

    # -- timeouts -----------------------------------------------------------------------------

    def set_timeout(self, actor: str, seconds: float | None) -> None:
        """The actor's call blocks; it times out ``seconds`` from now (None: never)."""
        if seconds is None:
            self._timeouts.pop(actor, None)
        else:
            self._timeouts[actor] = self.now + seconds

    def clear_timeout(self, actor: str) -> None:
        """The actor's call goes on: its timeout no longer counts."""
        self._timeouts.pop(actor, None)

    # -- moving on ----------------------------------------------------------------------------

    def next_at(self) -> float | None:
        """When the next delivery or timeout is due (None: nothing is to come)."""
        first_timeout = min(self._timeouts.values(), default=None)
        next_delivery = self._due[0][0] if self._due else None
        times = [at for at in (first_timeout, next_delivery) if at is not None]
        return min(times, default=None)

    def advance(self) -> set[str] | None:
        """Move to what comes next: the next delivery or the first timeout, whichever is sooner
        (a delivery first when they tie). The actors whose call timed out (none if a delivery
        came first); None if nothing is to come, and the clock stays."""
        first_timeout = min(self._timeouts.values(), default=None)
        if self._due and (first_timeout is None or self._due[0][0] <= first_timeout):
            self.now = max(self.now, self._due[0][0])
            return set()
        if first_timeout is None:
            return None
        self.now = max(self.now, first_timeout)
        fired = {actor for actor, at in self._timeouts.items() if at <= self.now}
        for actor in fired:
            del self._timeouts[actor]
        return fired

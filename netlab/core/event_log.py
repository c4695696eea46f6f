"""The lab's event log as the conductor writes it (DESIGN §2.4): every event numbered, stamped
with the virtual and the wall clock and the step, and passed on as it is made.

An event may be written later than it happened (:meth:`EventLog.later`): the conductor records
a block once the next actor has been asked to go on, and anything recorded meanwhile comes
after it, in the order things happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from netlab.core import events as ev
from netlab.core.clock import Clock
from netlab.core.events import Event, SockInfo


class EventLog:
    def __init__(
        self,
        clock: Clock,
        own_files: Path | tuple[Path, ...],
        on_event: Callable[[Event], None] | None,
        keep: bool = True,
    ) -> None:
        # Every event, or (``keep`` False: a long lab whose events go to a file as they are
        # made) none: then memory does not grow with the lab.
        self.events: list[Event] = []
        self.keep = keep
        self.count = 0  # events recorded
        self.step = 0  # the step under way
        self._clock = clock
        files = own_files if isinstance(own_files, tuple) else (own_files,)
        self._own_files = {str(path): path.name for path in files}
        self._on_event = on_event
        self._started = time.perf_counter()
        self._later: Callable[[], None] | None = None

    def start_clock(self) -> None:
        """Wall times count from now."""
        self._started = time.perf_counter()

    def new_step(self) -> None:
        self.step += 1

    def record(self, kind: str, actor: str, **fields: Any) -> Event:
        if self._later is not None:  # what happened first is recorded first
            self.catch_up()
        event = Event(
            seq=self.count + 1,
            kind=kind,
            actor=actor,
            vtime=self._clock.now,
            wtime=time.perf_counter() - self._started,
            step=self.step,
            **fields,
        )
        self.count += 1
        if self.keep:
            self.events.append(event)
        if self._on_event is not None:
            self._on_event(event)
        return event

    def later(self, record: Callable[[], None]) -> None:
        """Record with ``record()`` at the latest before the next event."""
        self._later = record

    def catch_up(self) -> None:
        record, self._later = self._later, None
        if record is not None:
            record()

    def call(self, actor: str, message: dict[str, Any]) -> None:
        """A call announced (a ``call`` message of the wire)."""
        source = message.get("source")
        if source:
            # The user's own lines (scenario, programs) are named by file name alone: a
            # recording carries no path of the machine it was made on, and replays anywhere.
            name = self._own_files.get(source[0], source[0])
            source = (name, source[1])
        message["source"] = source  # its block and outcome events carry it too
        self.record(
            ev.CALL,
            actor,
            op=message["op"],
            args=tuple(message.get("args", ())),
            sock=snapshot(message.get("sock")),
            source=source,
            data=message.get("data"),
            data_len=message.get("data_len", 0),
            extra={"compound": True} if message.get("compound") else {},
        )

    def outcome(
        self, actor: str, kind: str, call: dict[str, Any], message: dict[str, Any]
    ) -> Event:
        """How the ``call`` ended: ``return``, ``raise`` (or ``block``, with the ``message``
        of the wire that says so)."""
        extra = message.get("extra", {})
        if call.get("compound"):
            extra = {**extra, "compound": True}
        return self.record(
            kind,
            actor,
            op=call.get("op", ""),
            args=tuple(call.get("args", ())),
            result=message.get("result"),
            errno=message.get("errno"),
            error=message.get("error"),
            sock=snapshot(message.get("sock")),
            new_sock=snapshot(message.get("new_sock")),
            data=message.get("data"),
            data_len=message.get("data_len", 0),
            source=call.get("source"),
            extra=extra,
        )


def snapshot(raw: dict[str, Any] | None) -> SockInfo | None:
    """A socket snapshot from a message (shared with an equal one seen before: see SockInfo)."""
    return SockInfo.from_json(raw) if raw else None

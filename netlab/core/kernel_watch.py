"""The kernel's view of the lab's sockets, kept in the log at a person's pace (DESIGN §2.4)."""

from __future__ import annotations

import dataclasses
from typing import Any

from netlab.core import calls
from netlab.core import events as ev
from netlab.core.controls import PLAY, RUN, Pacing
from netlab.core.event_log import EventLog
from netlab.core.events import Event, SockInfo
from netlab.core.kernel_view import KernelTable

# The kernel's view is recorded at steps taken at least this far apart (see KernelWatch).
KERNEL_PACE = 0.05


class KernelWatch:
    """Records the kernel's view of the lab's sockets after a step that changed it.

    Only at a person's pace: stepping, or playing at least ``KERNEL_PACE`` seconds a step.
    Asking costs tens of microseconds a socket (milliseconds where ``/proc/net/tcp`` must be
    read), which would halve a lab played at full speed; running freely, the actor goes on
    while the kernel is asked. When the watch stops, a ``kernel`` event without sockets says
    that from here it is not known.
    """

    def __init__(self, log: EventLog, pacing: Pacing) -> None:
        self._log = log
        self._pacing = pacing
        self._sockets: dict[str, SockInfo] = {}  # every socket the kernel may still have
        self._seen: dict[str, list[Any]] | None = None  # None: not watched now

    def after(self, event: Event) -> None:
        pacing = self._pacing
        if pacing.mode == RUN:  # for the whole run
            return
        for info in (event.sock, event.new_sock):
            if info is not None:
                self._sockets[info.id] = info
        if event.kind == ev.RETURN and event.sock and calls.call(event.op).state == calls.CLOSED:
            # The close's own event shows the descriptor it closed; from now on it has none.
            self._sockets[event.sock.id] = dataclasses.replace(event.sock, fd=-1)
        if pacing.mode == PLAY and pacing.pace < KERNEL_PACE:
            if self._seen is not None:
                self._seen = None
                self._log.record(ev.KERNEL, "", extra={"sockets": None})
            return
        table = KernelTable.read({info.type for info in self._sockets.values()})
        seen: dict[str, list[Any]] = {}
        for sock_id, info in list(self._sockets.items()):
            if info.fd == -1 and not (info.type == "SOCK_STREAM" and info.peer):
                # Closed, and nothing of it stays in the kernel (a listener, a UDP socket): its
                # address may be another socket's now, which must not be taken for it.
                del self._sockets[sock_id]
                continue
            row = table.find(info.type, info.local, info.peer)
            if row is not None:
                seen[sock_id] = [row.state, row.send_queue, row.recv_queue, row.drops]
            elif info.fd == -1:  # closed, and the kernel has let go of it too
                del self._sockets[sock_id]
        if seen != self._seen:
            self._seen = seen
            self._log.record(ev.KERNEL, "", extra={"sockets": seen})

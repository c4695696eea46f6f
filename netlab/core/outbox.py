"""The sender's side of the link, inside an actor process.

When the link is modelled, a send does not reach the kernel at once: the bytes are held here and
the conductor's link model decides when (and whether, and how many times) they go. The real
``send``/``sendto`` — and a deferred ``close`` or ``shutdown``, which must stay behind the data —
happen when the conductor says ``deliver``. Sockets are used through the real socket class so
nothing here is traced.
"""

from __future__ import annotations

import socket
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netlab.core import wire

_RealSocket = socket.socket  # bound before the shim replaces socket.socket


@dataclass
class _Held:
    sock: socket.socket
    data: bytes
    address: Any  # UDP destination; None for TCP


@dataclass
class _Queue:
    """What waits to be written to one socket, in order: bytes, then maybe a close."""

    sock: socket.socket
    items: deque[Any] = field(default_factory=deque)

    def backlog(self) -> int:
        return sum(len(item) for item in self.items if isinstance(item, (bytes, memoryview)))


class Outbox:
    def __init__(self) -> None:
        self._held: dict[int, _Held] = {}
        self._queues: dict[int, _Queue] = {}  # by id() of the socket
        self._next_tx = 0
        self.modelled: dict[int, socket.socket] = {}  # id(sock) -> sock: closes are deferred

    def hold(self, sock: socket.socket, data: bytes, address: Any = None) -> int:
        """Keep bytes until the link delivers them; return the transmission's number."""
        self._next_tx += 1
        self._held[self._next_tx] = _Held(sock, data, address)
        self.modelled[id(sock)] = sock
        return self._next_tx

    def is_modelled(self, sock: socket.socket) -> bool:
        return id(sock) in self.modelled

    def _queue(self, sock: socket.socket) -> _Queue:
        queue = self._queues.get(id(sock))
        if queue is None:
            queue = self._queues[id(sock)] = _Queue(sock)
        return queue

    def deliver(self, items: list[dict[str, Any]], sockets: Mapping[str, Any]) -> dict[str, Any]:
        """Carry out the conductor's deliveries; answer with what is still waiting."""
        errors: list[str] = []
        for item in items:
            if "tx" in item:
                self._deliver_tx(item, errors)
            else:  # a deferred close or shutdown of the socket with this lab id
                sock = sockets.get(item["sock"])
                if sock is not None:
                    self._queue(sock).items.append(
                        ("shutdown", item["how"]) if "how" in item else "close"
                    )
        return self.flush(errors)

    def _deliver_tx(self, item: dict[str, Any], errors: list[str]) -> None:
        tx = item["tx"]
        held = self._held.get(tx)
        if held is None:
            return
        if item.get("last") or item.get("forget"):
            del self._held[tx]
        if item.get("forget"):
            return
        if held.address is None:  # a TCP segment: queued behind what is already waiting
            self._queue(held.sock).items.append(memoryview(held.data)[item["start"] : item["end"]])
            return
        payload = held.data
        corrupt_at = item.get("corrupt")
        if corrupt_at is not None and 0 <= corrupt_at < len(payload):
            flipped = bytearray(payload)
            flipped[corrupt_at] ^= 0xFF
            payload = bytes(flipped)
        try:
            _RealSocket.sendto(held.sock, payload, held.address)
        except OSError as exc:  # the datagram is lost in the kernel; say why
            errors.append(f"sendto failed: {type(exc).__name__}: {exc}")

    def flush(self, errors: list[str] | None = None) -> dict[str, Any]:
        """Write what the sockets can take now, in order; nothing blocks."""
        errors = [] if errors is None else errors
        backlog = 0
        moved = False  # whether anything reached the kernel
        for key, queue in list(self._queues.items()):
            items = queue.items
            while items:
                item = items[0]
                if isinstance(item, memoryview):
                    try:
                        sent = _RealSocket.send(queue.sock, item)
                    except BlockingIOError:
                        break  # the receiver's buffer is full: later
                    except OSError as exc:
                        errors.append(f"send failed: {type(exc).__name__}: {exc}")
                        items.clear()
                        break
                    moved = moved or sent > 0
                    if sent < len(item):
                        items[0] = item[sent:]
                        continue
                elif item == "close":
                    moved = True
                    _RealSocket.close(queue.sock)
                    self.modelled.pop(id(queue.sock), None)
                else:
                    moved = True
                    try:
                        _RealSocket.shutdown(queue.sock, item[1])
                    except OSError as exc:
                        errors.append(f"shutdown failed: {exc}")
                items.popleft()
            if items:
                backlog += queue.backlog()
            else:
                del self._queues[key]
        return {"t": wire.DELIVERED, "backlog": backlog, "errors": errors, "moved": moved}

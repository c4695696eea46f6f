"""The sender's side of the link, inside an actor process.

When the link is modelled, a send does not reach the kernel at once: the bytes are held here and
the conductor's link model decides when (and whether, and how many times) they go. The real
``send``/``sendto`` — and a deferred ``close`` or ``shutdown``, which must stay behind the data —
happen when the conductor says ``deliver``. Sockets are used through the real socket class so
nothing here is traced.

What the kernel does with the bytes must not depend on its own timers, or the same seed would
give another trace: a segment that waits in the sender's kernel for a delayed ACK (Nagle) or for
the receiver's window to open arrives when a timer says, not when the link says. So a TCP
segment is written only while the receiver has room for it without its window closing (a
fixed share of its receive buffer, asked of the kernel), it is pushed at once (as with
TCP_NODELAY), and the write waits until the segment has left the sender's kernel.
"""

from __future__ import annotations

import contextlib
import fcntl
import select
import socket
import struct
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netlab.core import sock_diag, wire

# Bound before the shim replaces them: nothing here is traced or on the virtual clock.
_RealSocket = socket.socket
_real_poll = select.poll
_real_sleep = time.sleep
_real_monotonic = time.monotonic
_SIOCOUTQNSD = 0x894B  # bytes in a TCP socket's send queue not yet sent (linux/sockios.h)
_SETTLE_LIMIT = 1.0  # seconds to wait for written bytes to leave the sender's kernel
# Write while the receiver's queue holds less than this many bytes (a quarter of its receive
# buffer, when the program made that small) and fewer than this many of our writes. Measured on
# loopback: the receiver's window closes after about 34 packets however small, and after a read
# that sends no window update the sender may send about 17 more; the kernel grows the buffer on
# its own clock, so the room must not follow it.
_ROOM = 16384
_ROOM_WRITES = 12
_UNKNOWN_ROOM_WRITE = 65536  # the most written at once where the room cannot be known
_SEND_BUFFER = 1 << 22  # asked for (the kernel caps it): room for the writes without waiting


def _not_sent(sock: socket.socket) -> int:
    fd = _RealSocket.fileno(sock)
    if fd < 0:
        return 0  # closed: what it held is the kernel's to send
    try:
        answer = fcntl.ioctl(fd, _SIOCOUTQNSD, b"\0\0\0\0")
    except OSError:
        return 0
    return int(struct.unpack("i", answer)[0])


def _push(sock: socket.socket) -> None:
    """Send what was written now, not when an ACK comes (Nagle), keeping the program's option."""
    try:
        if not _RealSocket.getsockopt(sock, socket.IPPROTO_TCP, socket.TCP_NODELAY):
            _RealSocket.setsockopt(sock, socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            _RealSocket.setsockopt(sock, socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
    except OSError:
        pass  # closed meanwhile: nothing to push


def _writable_soon(sock: socket.socket, deadline: float) -> bool:
    poller = _real_poll()
    poller.register(sock, select.POLLOUT)
    return bool(poller.poll(max(0.0, deadline - _real_monotonic()) * 1000))


def _settle(written: list[socket.socket], deadline: float) -> None:
    """Wait until what was written has left the senders' kernels (on loopback: has reached the
    receivers' queues). The receiver has room (see ``_room``), so only a window update or an
    ACK the sender has not yet heard can hold a segment back, for a moment."""
    pending = [sock for sock in written if _not_sent(sock)]
    while pending and _real_monotonic() < deadline:
        _real_sleep(0.0005)  # no file descriptor tells when; the kernel's own timers release it
        pending = [sock for sock in pending if _not_sent(sock)]


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
    writes: deque[int] = field(default_factory=deque)  # sizes of writes not yet read, oldest first

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
        if address is None and id(sock) not in self.modelled:  # a TCP socket's first send
            with contextlib.suppress(OSError):  # the writes then wait for room, that is all
                _RealSocket.setsockopt(sock, socket.SOL_SOCKET, socket.SO_SNDBUF, _SEND_BUFFER)
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
        """Write what the receivers can take now, in order, and wait until it has left."""
        errors = [] if errors is None else errors
        backlog = 0
        moved = False  # whether anything reached the kernel
        settling: list[socket.socket] = []
        deadline = _real_monotonic() + _SETTLE_LIMIT
        for key, queue in list(self._queues.items()):
            items = queue.items
            if not items and not queue.writes:
                del self._queues[key]  # nothing to write, nothing of ours unread: forgotten
                continue
            while items:
                if isinstance(items[0], memoryview):
                    # Each socket its own time to wait for room: one slow one takes none from
                    # the others.
                    sent, room_known = self._write(queue, errors, _real_monotonic() + _SETTLE_LIMIT)
                    moved = moved or sent > 0
                    if sent and room_known:
                        settling.append(queue.sock)
                    if items and isinstance(items[0], memoryview):
                        break  # the rest when the receiver has read
                    continue
                moved = True
                ending = items.popleft()  # a deferred close or ("shutdown", how)
                if ending == "close":
                    _RealSocket.close(queue.sock)
                    self.modelled.pop(id(queue.sock), None)
                    del self._queues[key]
                    break
                try:
                    _RealSocket.shutdown(queue.sock, ending[1])
                except OSError as exc:
                    errors.append(f"shutdown failed: {exc}")
            backlog += queue.backlog()
        _settle(settling, deadline)
        return {"t": wire.DELIVERED, "backlog": backlog, "errors": errors, "moved": moved}

    def _write(self, queue: _Queue, errors: list[str], deadline: float) -> tuple[int, bool]:
        """One write of the data at the head of the queue, as much as the receiver has room
        for (one packet, as TCP would coalesce it); whether that room was known."""
        room = _room(queue)
        limit = _UNKNOWN_ROOM_WRITE if room is None else room
        pieces: list[memoryview] = []
        size = 0
        for item in queue.items:
            if not isinstance(item, memoryview) or size >= limit:
                break
            pieces.append(item[: limit - size])
            size += len(pieces[-1])
        if not size:
            return 0, room is not None
        data = b"".join(pieces)
        while True:
            try:
                sent = _RealSocket.send(queue.sock, data)
                break
            except BlockingIOError:
                # The sender's own buffer is full. When the receiver has room, ACKs that free
                # it are on their way: wait for them, so that how much is written does not
                # depend on when they come.
                if room is None or not _writable_soon(queue.sock, deadline):
                    return 0, False
            except OSError as exc:
                errors.append(f"send failed: {type(exc).__name__}: {exc}")
                queue.items.clear()
                return 0, False
        queue.writes.append(sent)
        _push(queue.sock)
        left = sent
        while left:
            head = queue.items[0]
            if len(head) > left:
                queue.items[0] = head[left:]
                break
            left -= len(head)
            queue.items.popleft()
        return sent, room is not None


def _room(queue: _Queue) -> int | None:
    """How many bytes the receiver's kernel takes now with its window well open; None when it
    cannot be known (the peer is not on this machine, or sock_diag is not answered)."""
    sock = queue.sock
    try:
        local, peer = _RealSocket.getsockname(sock)[:2], _RealSocket.getpeername(sock)[:2]
        row = sock_diag.tcp_row(peer, local, memory=True)  # the receiver's side of the pair
    except (OSError, sock_diag.Unavailable):
        return None
    if row is None or not row.rcvbuf:
        return None
    unread = row.recv_queue + _not_sent(sock)
    writes = queue.writes  # those the receiver has read all of are forgotten
    while writes and sum(writes) - writes[0] >= unread:
        writes.popleft()
    if len(writes) >= _ROOM_WRITES:
        return 0
    return max(0, min(_ROOM, row.rcvbuf // 4) - unread)

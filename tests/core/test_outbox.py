"""The outbox on real loopback sockets: what it writes must not depend on the kernel's timers."""

from __future__ import annotations

import fcntl
import socket
import struct
import termios
from collections.abc import Iterator

import pytest

from netlab.core.outbox import Outbox

SEGMENT = 1460


def _unread(sock: socket.socket) -> int:
    return int(struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0\0\0\0"))[0])


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        sender = socket.create_connection(listener.getsockname())
        receiver, _ = listener.accept()
        sender.setblocking(False)
        with sender, receiver:
            yield sender, receiver


def _deliver_all(outbox: Outbox, sender: socket.socket, size: int) -> dict[str, object]:
    tx = outbox.hold(sender, b"x" * size)
    segments = [
        {
            "tx": tx,
            "start": start,
            "end": min(size, start + SEGMENT),
            "last": start + SEGMENT >= size,
        }
        for start in range(0, size, SEGMENT)
    ]
    return outbox.deliver(segments, {})


def test_segments_are_written_only_while_the_receiver_has_room_and_all_of_them_arrive(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    sender, receiver = pair
    outbox = Outbox()
    reply = _deliver_all(outbox, sender, 200_000)
    # Twelve segments' worth at most (16,384 bytes here), every byte already in the receiver's
    # queue: none waits in the sender's kernel for a window update or an ACK.
    assert _unread(receiver) == 16_384
    assert reply["backlog"] == 200_000 - 16_384
    taken = receiver.recv(10_000)
    assert len(taken) == 10_000
    reply = outbox.flush()
    assert _unread(receiver) == 16_384  # topped up to the same room, at once
    received = 10_000 + len(receiver.recv(1 << 20))
    while reply["backlog"]:
        reply = outbox.flush()
        received += len(receiver.recv(1 << 20))
    assert received == 200_000


def test_a_small_receive_buffer_set_by_the_program_gives_less_room(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    sender, receiver = pair
    receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the kernel doubles it
    outbox = Outbox()
    _deliver_all(outbox, sender, 50_000)
    assert _unread(receiver) == receiver.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) // 4

"""The private channel between the conductor and an actor process.

Length-prefixed messages over one end of an ``AF_UNIX`` socketpair. The channel uses the
``_socket`` module's own socket type, so the actor shim — which replaces ``socket.socket`` —
never traces it. Messages are dicts of plain values encoded with ``marshal``: both ends are the
same Python (the conductor starts its actors with its own interpreter), and it is several times
faster than JSON, which matters at thousands of steps a second. Nothing read from a file or the
network is ever decoded this way.

A message may carry a file descriptor (``SCM_RIGHTS``): a thread of an actor sends the end of its
own channel so. The receiving end keeps the descriptors that came, in order (``fds``).
"""

from __future__ import annotations

import _socket
import array
import marshal
import os
import struct
from typing import Any

_HEADER = struct.Struct("!I")
_MAX_MESSAGE = 16 * 1024 * 1024
_READ_SIZE = 16384
_FD_SPACE = _socket.CMSG_SPACE(8 * array.array("i").itemsize)
_CLOEXEC = getattr(_socket, "MSG_CMSG_CLOEXEC", 0)  # descriptors received: not inherited


class ChannelClosed(Exception):
    """The other end of the channel is gone."""


class Channel:
    """Send and receive whole messages (dicts) over a stream socket."""

    def __init__(self, sock: _socket.socket) -> None:
        self.sock = sock
        self._buffer = bytearray()
        self._pushed: list[dict[str, Any]] = []
        self.fds: list[int] = []  # descriptors that came with messages, not yet taken

    @classmethod
    def from_fd(cls, fd: int) -> Channel:
        return cls(_socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM, 0, fd))

    def fileno(self) -> int:
        return self.sock.fileno()

    def send(self, *messages: dict[str, Any], fd: int | None = None) -> None:
        """Send the messages in one write (with ``fd`` attached, if given)."""
        frames = bytearray()
        for message in messages:
            body = marshal.dumps(message)
            frames += _HEADER.pack(len(body))
            frames += body
        try:
            if fd is None:
                self.sock.sendall(frames)
            else:
                rights = array.array("i", [fd]).tobytes()
                sent = self.sock.sendmsg(
                    [frames], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, rights)]
                )
                self.sock.sendall(frames[sent:])
        except OSError as exc:
            raise ChannelClosed(str(exc)) from exc

    def recv(self) -> dict[str, Any]:
        """Wait for the next message."""
        while True:
            message = self.pop()
            if message is not None:
                return message
            self.fill()

    def fill(self) -> None:
        """Read what has arrived (blocks if nothing has); raise ChannelClosed at EOF."""
        self._read(0)

    def fill_now(self) -> bool:
        """Read what has arrived without waiting; False if nothing has."""
        try:
            self._read(_socket.MSG_DONTWAIT)
        except BlockingIOError:
            return False
        return True

    def _read(self, flags: int) -> None:
        try:
            chunk, ancillary, _, _ = self.sock.recvmsg(_READ_SIZE, _FD_SPACE, flags | _CLOEXEC)
        except BlockingIOError:
            raise
        except OSError as exc:
            raise ChannelClosed(str(exc)) from exc
        for level, kind, data in ancillary:
            if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
                fds = array.array("i")
                fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
                self.fds += fds
        if not chunk:
            raise ChannelClosed("end of channel")
        self._buffer += chunk

    def push_back(self, message: dict[str, Any]) -> None:
        """Put a message back: the next ``pop`` returns it."""
        self._pushed.append(message)

    def pop(self) -> dict[str, Any] | None:
        """The next complete message already read, if any."""
        if self._pushed:
            return self._pushed.pop()
        buffer = self._buffer
        if len(buffer) < 4:
            return None
        (size,) = _HEADER.unpack_from(buffer)
        if size > _MAX_MESSAGE:
            raise ChannelClosed(f"message of {size} bytes is too large")
        end = 4 + size
        if len(buffer) < end:
            return None
        body = bytes(buffer[4:end])
        del buffer[:end]
        message: dict[str, Any] = marshal.loads(body)
        return message

    def close(self) -> None:
        self.sock.close()
        for fd in self.fds:
            os.close(fd)
        self.fds.clear()


def channel_pair() -> tuple[Channel, Channel]:
    """Two connected channels: (conductor end, actor end)."""
    left, right = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_STREAM)
    return Channel(left), Channel(right)

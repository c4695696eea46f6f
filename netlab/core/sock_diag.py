"""One TCP socket as the kernel has it, asked of the kernel directly (netlink ``sock_diag``).

This is what ``ss`` does. Reading ``/proc/net/tcp`` makes the kernel walk its whole connection
table, which takes milliseconds. Asking for one socket by its addresses is a hash lookup that
takes microseconds. No privileges are needed. IPv4 and IPv6.
"""

from __future__ import annotations

import errno
import socket
import struct
from typing import NamedTuple

_RealSocket = socket.socket  # bound before the shim (the outbox asks from inside an actor)
_NETLINK_SOCK_DIAG = 4
_SOCK_DIAG_BY_FAMILY = 20
_NLM_F_REQUEST = 1
_NLMSG_ERROR = 2
_HEADER = struct.Struct("=LHHLL")  # nlmsghdr: length, type, flags, sequence, port id
_REQUEST = struct.Struct("=BBBxI")  # inet_diag_req_v2: family, protocol, extensions, states
_NO_COOKIE = struct.pack("=II", 0xFFFFFFFF, 0xFFFFFFFF)  # any socket with these addresses
_REPLY = struct.Struct("=BBBB48xIIIII")  # inet_diag_msg (its 48-byte socket id skipped)
_REPLY_PORTS = struct.Struct("!HH")  # the socket id's first fields: its ports, in network order
_ATTRIBUTE = struct.Struct("=HH")  # rtattr: length, type
_SKMEMINFO = 7  # INET_DIAG_SKMEMINFO: the socket's memory (sk_meminfo's u32 values)
_MEMINFO = struct.Struct("=II")  # SK_MEMINFO_RMEM_ALLOC, SK_MEMINFO_RCVBUF (the first two)


class Unavailable(Exception):
    """This kernel (or sandbox) does not answer sock_diag requests."""


class TcpRow(NamedTuple):
    state: int
    recv_queue: int
    send_queue: int
    rcvbuf: int  # the receive buffer's size in bytes (0 when not asked for)
    rmem: int  # the memory its receive queue takes (skbs' true sizes; 0 when not asked for)


def tcp_socket(local: tuple[str, int], peer: tuple[str, int] | None) -> tuple[int, int, int] | None:
    """(state code, receive queue, send queue) of the TCP socket with these addresses: a
    listener when ``peer`` is None. None if the kernel has no such socket; ``Unavailable`` if
    it cannot be asked. The queues are as ss shows them: for a listener, the connections waiting
    for accept() and the backlog."""
    row = tcp_row(local, peer)
    return None if row is None else (row.state, row.recv_queue, row.send_queue)


def tcp_row(
    local: tuple[str, int], peer: tuple[str, int] | None, *, memory: bool = False
) -> TcpRow | None:
    """The TCP socket with these addresses, with its receive buffer's size if ``memory``."""
    family = socket.AF_INET6 if ":" in local[0] else socket.AF_INET
    try:
        source = socket.inet_pton(family, local[0])
        dest = socket.inet_pton(
            family, peer[0] if peer else ("::" if family == socket.AF_INET6 else "0.0.0.0")
        )
    except OSError:
        return None  # not an address of this family
    sock_id = (
        struct.pack("!HH", local[1], peer[1] if peer else 0)
        + source.ljust(16, b"\0")
        + dest.ljust(16, b"\0")
        + struct.pack("=I", 0)  # any interface
        + _NO_COOKIE
    )
    extensions = 1 << (_SKMEMINFO - 1) if memory else 0
    request = _REQUEST.pack(family, socket.IPPROTO_TCP, extensions, 0xFFFFFFFF) + sock_id
    message = _HEADER.pack(_HEADER.size + len(request), _SOCK_DIAG_BY_FAMILY, _NLM_F_REQUEST, 1, 0)
    try:
        with _RealSocket(socket.AF_NETLINK, socket.SOCK_DGRAM, _NETLINK_SOCK_DIAG) as link:
            link.settimeout(1.0)
            link.send(message + request)
            reply = link.recv(65536)
    except OSError as exc:
        raise Unavailable(str(exc)) from None
    if len(reply) < _HEADER.size + 4:
        raise Unavailable("short reply")
    kind = _HEADER.unpack_from(reply)[1]
    if kind == _NLMSG_ERROR:
        (code,) = struct.unpack_from("=i", reply, _HEADER.size)
        if -code == errno.ENOENT:
            return None
        raise Unavailable(errno.errorcode.get(-code, str(code)))
    if len(reply) < _HEADER.size + _REPLY.size:
        raise Unavailable("short reply")
    _, state, _, _, _, rqueue, wqueue, _, _ = _REPLY.unpack_from(reply, _HEADER.size)
    _, peer_port = _REPLY_PORTS.unpack_from(reply, _HEADER.size + 4)
    if peer is not None and peer_port != peer[1]:
        # The kernel looks a pair up as a packet's destination: with no connection of that
        # pair it answers with the listener on the port. That is another socket.
        return None
    rmem, rcvbuf = _memory(reply, _HEADER.size + _REPLY.size) if memory else (0, 0)
    return TcpRow(state, rqueue, wqueue, rcvbuf, rmem)


def _memory(reply: bytes, offset: int) -> tuple[int, int]:
    """SK_MEMINFO_RMEM_ALLOC and SK_MEMINFO_RCVBUF from the reply's attributes."""
    while offset + _ATTRIBUTE.size <= len(reply):
        length, kind = _ATTRIBUTE.unpack_from(reply, offset)
        if length < _ATTRIBUTE.size:
            break
        if kind == _SKMEMINFO and length >= _ATTRIBUTE.size + _MEMINFO.size:
            rmem, rcvbuf = _MEMINFO.unpack_from(reply, offset + _ATTRIBUTE.size)
            return int(rmem), int(rcvbuf)
        offset += (length + 3) & ~3  # attributes are aligned to 4 bytes
    return 0, 0

"""One TCP socket as the kernel has it, asked of the kernel directly (netlink ``sock_diag``).

This is what ``ss`` does. Reading ``/proc/net/tcp`` makes the kernel walk its whole connection
table, which takes milliseconds. Asking for one socket by its addresses is a hash lookup that
takes microseconds. No privileges are needed. IPv4 only, like the lab's loopback.
"""

from __future__ import annotations

import errno
import socket
import struct

_NETLINK_SOCK_DIAG = 4
_SOCK_DIAG_BY_FAMILY = 20
_NLM_F_REQUEST = 1
_NLMSG_ERROR = 2
_HEADER = struct.Struct("=LHHLL")  # nlmsghdr: length, type, flags, sequence, port id
_REQUEST = struct.Struct("=BBBxI")  # inet_diag_req_v2: family, protocol, extensions, states
_NO_COOKIE = struct.pack("=II", 0xFFFFFFFF, 0xFFFFFFFF)  # any socket with these addresses
_REPLY = struct.Struct("=BBBB48xIIIII")  # inet_diag_msg (its 48-byte socket id skipped)
_REPLY_PORTS = struct.Struct("!HH")  # the socket id's first fields: its ports, in network order


class Unavailable(Exception):
    """This kernel (or sandbox) does not answer sock_diag requests."""


def tcp_socket(local: tuple[str, int], peer: tuple[str, int] | None) -> tuple[int, int, int] | None:
    """(state code, receive queue, send queue) of the TCP socket with these addresses: a
    listener when ``peer`` is None. None if the kernel has no such socket; ``Unavailable`` if
    it cannot be asked. The queues are as ss shows them: for a listener, the connections waiting
    for accept() and the backlog."""
    try:
        source, dest = socket.inet_aton(local[0]), socket.inet_aton(peer[0] if peer else "0.0.0.0")
    except OSError:
        return None  # not an IPv4 address
    sock_id = (
        struct.pack("!HH", local[1], peer[1] if peer else 0)
        + source.ljust(16, b"\0")
        + dest.ljust(16, b"\0")
        + struct.pack("=I", 0)  # any interface
        + _NO_COOKIE
    )
    request = _REQUEST.pack(socket.AF_INET, socket.IPPROTO_TCP, 0, 0xFFFFFFFF) + sock_id
    message = _HEADER.pack(_HEADER.size + len(request), _SOCK_DIAG_BY_FAMILY, _NLM_F_REQUEST, 1, 0)
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, _NETLINK_SOCK_DIAG) as link:
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
    return state, rqueue, wqueue

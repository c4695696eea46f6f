"""Counters the kernel keeps about sockets, read from ``/proc/net`` (Linux; None elsewhere)."""

from __future__ import annotations

import os
from pathlib import Path

from netlab.core.kernel_view import TCP_STATES as _TCP_STATES


def socket_inode(fd: int) -> int | None:
    try:
        return os.fstat(fd).st_ino
    except OSError:
        return None


def udp_drops(fd: int) -> int | None:
    """Datagrams the kernel dropped for this UDP socket (its receive buffer was full).

    The ``drops`` column of ``/proc/net/udp`` (or ``udp6``) on the socket's row, found by inode.
    """
    inode = socket_inode(fd)
    if inode is None:
        return None
    wanted = str(inode)
    for path in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            with Path(path).open(encoding="ascii") as table:
                next(table, None)  # the heading
                for line in table:
                    fields = line.split()
                    if len(fields) >= 13 and fields[9] == wanted:
                        return int(fields[12])
        except (OSError, ValueError):
            continue
    return None


def _decode_address(text: str) -> tuple[str, int]:
    """``0100007F:1F90`` (IPv4, host byte order) as ("127.0.0.1", 8080)."""
    host, port = text.split(":")
    if len(host) == 8:
        import socket
        import struct

        return socket.inet_ntoa(struct.pack("=I", int(host, 16))), int(port, 16)
    return host, int(port, 16)


def kernel_socket(transport: str, local: object, peer: object) -> dict[str, object] | None:
    """The kernel's row for a socket (state, queues) from ``/proc/net/tcp`` or ``udp``.

    Found by its local address, and its peer's when it has one. None if there is no such row.
    """
    if not (isinstance(local, list) and len(local) >= 2):
        return None
    want_local = (str(local[0]), int(local[1]))
    want_peer = (str(peer[0]), int(peer[1])) if isinstance(peer, list) and len(peer) >= 2 else None
    table = "/proc/net/tcp" if transport == "SOCK_STREAM" else "/proc/net/udp"
    try:
        with Path(table).open(encoding="ascii") as rows:
            next(rows, None)
            for line in rows:
                fields = line.split()
                if len(fields) < 10:
                    continue
                row_local, row_peer = _decode_address(fields[1]), _decode_address(fields[2])
                if row_local[1] != want_local[1]:
                    continue
                if want_peer is not None and row_peer != want_peer:
                    continue
                if want_peer is None and row_peer[1] != 0:
                    continue
                tx_queue, rx_queue = (int(x, 16) for x in fields[4].split(":"))
                state = (
                    _TCP_STATES.get(fields[3], fields[3])
                    if transport == "SOCK_STREAM"
                    else ("UNCONN" if fields[3] == "07" else "ESTAB")
                )
                row: dict[str, object] = {
                    "state": state,
                    "send_queue": tx_queue,
                    "recv_queue": rx_queue,
                    "local": f"{row_local[0]}:{row_local[1]}",
                    "peer": f"{row_peer[0]}:{row_peer[1]}",
                    "inode": int(fields[9]),
                }
                if len(fields) >= 13 and transport != "SOCK_STREAM":
                    row["drops"] = int(fields[12])
                return row
    except (OSError, ValueError):
        return None
    return None

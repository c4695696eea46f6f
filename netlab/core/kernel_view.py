"""The kernel's view of a lab's sockets right now: state and queues, as ``ss`` shows them.

One read of ``/proc/net/tcp`` and ``/proc/net/udp`` (Linux) answers for every socket of a lab,
looked up by local address and peer. This is the present only: the event log does not keep it,
so a view of the past shows netlab's own account of the sockets instead.
"""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TABLES = {"SOCK_STREAM": "/proc/net/tcp", "SOCK_DGRAM": "/proc/net/udp"}


# /proc/net/tcp's state codes, named as ss names them.
TCP_STATES = {
    "01": "ESTAB",
    "02": "SYN-SENT",
    "03": "SYN-RECV",
    "04": "FIN-WAIT-1",
    "05": "FIN-WAIT-2",
    "06": "TIME-WAIT",
    "07": "CLOSE",
    "08": "CLOSE-WAIT",
    "09": "LAST-ACK",
    "0A": "LISTEN",
    "0B": "CLOSING",
}


@dataclass(frozen=True)
class KernelRow:
    """One socket as the kernel has it (a row of ``/proc/net/tcp`` or ``udp``)."""

    state: str  # as ss prints it: ESTAB, LISTEN, TIME-WAIT, CLOSE-WAIT... (UDP: UNCONN, ESTAB)
    send_queue: int  # bytes not yet acknowledged by the peer (TCP) or not yet sent
    recv_queue: int  # bytes received that the program has not read yet
    local: tuple[str, int]
    peer: tuple[str, int]
    inode: int  # 0 once no process holds the socket (TIME-WAIT)
    drops: int = 0  # UDP: datagrams the kernel dropped (the receive buffer was full)


def _address(text: str) -> tuple[str, int]:
    """``0100007F:1F90`` (IPv4, host byte order) as ("127.0.0.1", 8080)."""
    host, port = text.split(":")
    if len(host) == 8:
        return socket.inet_ntoa(struct.pack("=I", int(host, 16))), int(port, 16)
    return host, int(port, 16)


def _wanted(address: Any) -> tuple[str, int] | None:
    if isinstance(address, (list, tuple)) and len(address) >= 2 and isinstance(address[1], int):
        return str(address[0]), address[1]
    return None


class KernelTable:
    """The kernel's sockets at one moment; ``find`` looks one up."""

    def __init__(self, rows: dict[str, list[KernelRow]]) -> None:
        self._by_port: dict[tuple[str, int], list[KernelRow]] = {}
        for transport, found in rows.items():
            for row in found:
                self._by_port.setdefault((transport, row.local[1]), []).append(row)

    @classmethod
    def read(cls, transports: Iterable[str] = TABLES) -> KernelTable:
        """Read the tables now (an empty table where there is no ``/proc``): only those of the
        transports asked for, since ``/proc/net/tcp`` costs milliseconds (the kernel walks its
        whole connection table to list it)."""
        return cls({kind: _read(TABLES[kind], kind) for kind in transports if kind in TABLES})

    def find(self, transport: str, local: Any, peer: Any) -> KernelRow | None:
        """The row of the socket with this local address (and this peer, if it has one)."""
        want_local, want_peer = _wanted(local), _wanted(peer)
        if want_local is None or want_local[1] == 0:
            return None  # not bound yet: nothing to find it by
        for row in self._by_port.get((transport, want_local[1]), []):
            if want_peer is not None and row.peer != want_peer:
                continue
            if want_peer is None and row.peer[1] != 0:
                continue
            return row
        return None


def udp_drops(fd: int) -> int | None:
    """Datagrams the kernel dropped for this UDP socket (its receive buffer was full): the
    ``drops`` column of its row in ``/proc/net/udp`` (or ``udp6``), found by inode."""
    try:
        inode = os.fstat(fd).st_ino
    except OSError:
        return None
    for path in ("/proc/net/udp", "/proc/net/udp6"):
        for row in _read(path, "SOCK_DGRAM"):
            if row.inode == inode:
                return row.drops
    return None


def _read(path: str, transport: str) -> list[KernelRow]:
    rows: list[KernelRow] = []
    try:
        with Path(path).open(encoding="ascii") as table:
            next(table, None)  # the heading
            for line in table:
                fields = line.split()
                if len(fields) < 10:
                    continue
                tx_queue, rx_queue = (int(x, 16) for x in fields[4].split(":"))
                if transport == "SOCK_STREAM":
                    state = TCP_STATES.get(fields[3], fields[3])
                else:
                    state = "UNCONN" if fields[3] == "07" else "ESTAB"
                drops = int(fields[12]) if transport == "SOCK_DGRAM" and len(fields) >= 13 else 0
                rows.append(
                    KernelRow(
                        state,
                        tx_queue,
                        rx_queue,
                        _address(fields[1]),
                        _address(fields[2]),
                        int(fields[9]),
                        drops,
                    )
                )
    except (OSError, ValueError):
        return rows
    return rows

"""The kernel's view of a lab's sockets right now: state and queues, as ``ss`` shows them.

A TCP socket is asked of the kernel by its addresses (``sock_diag``, as ss does; where that is
not possible, ``/proc/net/tcp`` is read, which takes milliseconds). UDP sockets come from one
read of ``/proc/net/udp``, which also has the drops. The conductor keeps what it finds in the
event log (``kernel`` events), so views of the past show it too.
"""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netlab.core import sock_diag

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


# States in which the peer's FIN has arrived: until a read takes it, the FIN counts as one in
# a TCP socket's Recv-Q (it takes a sequence number of its own), though it is no byte.
_FIN_RECEIVED = {"CLOSE-WAIT", "LAST-ACK", "CLOSING"}


def waiting(sock_type: str, state: str, recv_queue: int) -> str:
    """What a socket's Recv-Q says waits in it, in words that are true of that socket."""
    if not recv_queue:
        return ""
    if state == "LISTEN":
        return f"{recv_queue} to accept"  # a listener's Recv-Q: connections accept() takes
    if sock_type == "SOCK_DGRAM":
        return "datagrams queued"  # a UDP Recv-Q is the memory they take, not their bytes
    if state in _FIN_RECEIVED:
        data = recv_queue - 1
        return f"{data} unread + EOF" if data else "EOF unread"
    return f"{recv_queue} unread"


def recv_queue_note(sock_type: str, state: str, recv_queue: int) -> str:
    """What the Recv-Q number itself counts, where it is not bytes of data."""
    if sock_type == "SOCK_DGRAM" and recv_queue:
        return "recv-q of a UDP socket: the kernel memory its queued datagrams take, not bytes"
    if state in _FIN_RECEIVED and recv_queue:
        return "recv-q counts the peer's FIN as one until a read takes it (recv returns b'')"
    if state == "LISTEN":
        return "recv-q of a listener: connections waiting for accept(); send-q: its backlog"
    return ""


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
    """The kernel's sockets now; ``find`` looks one up."""

    def __init__(self, rows: dict[str, list[KernelRow]], *, ask_tcp: bool = False) -> None:
        self._by_port: dict[tuple[str, int], list[KernelRow]] = {}
        self._ask_tcp = ask_tcp  # TCP sockets are asked of the kernel one by one
        for transport, found in rows.items():
            for row in found:
                self._by_port.setdefault((transport, row.local[1]), []).append(row)

    @classmethod
    def read(cls, transports: Iterable[str] = TABLES) -> KernelTable:
        """Read the tables of these transports now (empty where there is no ``/proc``)."""
        wanted = set(transports) & set(TABLES)
        ask_tcp = "SOCK_STREAM" in wanted and _sock_diag_works()
        if ask_tcp:
            wanted.discard("SOCK_STREAM")
        return cls({kind: _read(TABLES[kind], kind) for kind in wanted}, ask_tcp=ask_tcp)

    def find(self, transport: str, local: Any, peer: Any) -> KernelRow | None:
        """The row of the socket with this local address (and this peer, if it has one)."""
        want_local, want_peer = _wanted(local), _wanted(peer)
        if want_local is None or want_local[1] == 0:
            return None  # not bound yet: nothing to find it by
        if transport == "SOCK_STREAM" and self._ask_tcp:
            return _ask_tcp(want_local, want_peer)
        for row in self._by_port.get((transport, want_local[1]), []):
            if want_peer is not None and row.peer != want_peer:
                continue
            if want_peer is None and row.peer[1] != 0:
                continue
            return row
        return None


_SOCK_DIAG: list[bool] = []  # whether the kernel answers sock_diag here (asked once)


def _sock_diag_works() -> bool:
    if not _SOCK_DIAG:
        try:
            sock_diag.tcp_socket(("127.0.0.1", 1), None)  # most likely no such socket
            _SOCK_DIAG.append(True)
        except sock_diag.Unavailable:
            _SOCK_DIAG.append(False)
    return _SOCK_DIAG[0]


def _ask_tcp(local: tuple[str, int], peer: tuple[str, int] | None) -> KernelRow | None:
    try:
        found = sock_diag.tcp_socket(local, peer)
    except sock_diag.Unavailable:
        return None
    if found is None:
        return None
    state, recv_queue, send_queue = found
    name = TCP_STATES.get(f"{state:02X}", str(state))
    anywhere = "::" if ":" in local[0] else "0.0.0.0"
    return KernelRow(name, send_queue, recv_queue, local, peer or (anywhere, 0), 0)


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


def local_ports() -> set[int]:
    """The local port of every TCP and UDP socket the kernel has, in any state (a connection in
    TIME-WAIT too), over IPv4 and IPv6."""
    tables = (("/proc/net/tcp", "/proc/net/tcp6"), ("/proc/net/udp", "/proc/net/udp6"))
    return {
        row.local[1]
        for paths, transport in zip(tables, ("SOCK_STREAM", "SOCK_DGRAM"), strict=True)
        for path in paths
        for row in _read(path, transport)
    }


def port_holders(transport: str, port: int) -> list[str]:
    """Who holds a local port, as ``ss -p`` would say: each socket on it with its state and
    the process that has it (a connection in TIME-WAIT belongs to no process)."""
    tables = {"SOCK_STREAM": ("/proc/net/tcp", "/proc/net/tcp6"), "SOCK_DGRAM": ("/proc/net/udp",)}
    rows = [
        row
        for path in tables.get(transport, ())
        for row in _read(path, transport)
        if row.local[1] == port
    ]
    owners = _socket_owners({row.inode for row in rows if row.inode})
    said = []
    for row in rows:
        if not row.inode:
            said.append(f"a connection in {row.state}, kept by the kernel (no process)")
        elif row.inode in owners:
            pid, name = owners[row.inode]
            said.append(f"{name} (pid {pid}), {row.state}")
        else:
            said.append(f"another process, {row.state}")
    return said


def connection_owner(local_port: int, peer_port: int) -> tuple[int, str] | None:
    """The process holding the other end of a TCP connection on this machine between
    ``local_port`` and ``peer_port`` (peer port 0: the listener on ``local_port``): (pid, name);
    None where no process can be seen to."""
    rows = [
        row
        for path in ("/proc/net/tcp", "/proc/net/tcp6")
        for row in _read(path, "SOCK_STREAM")
        if row.local[1] == peer_port and row.peer[1] == local_port and row.inode
    ]
    owners = _socket_owners({row.inode for row in rows})
    return next((owners[row.inode] for row in rows if row.inode in owners), None)


def descends_from(pid: int, ancestors: set[int]) -> bool:
    """Whether the process ``pid`` is one of ``ancestors`` or was started by one of them."""
    for _ in range(64):  # a chain of parents is short; a loop is not followed for ever
        if pid in ancestors:
            return True
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            pid = int(stat.rpartition(")")[2].split()[1])  # the field after the state: ppid
        except (OSError, ValueError, IndexError):
            return False
        if pid <= 1:
            return False
    return False


def _socket_owners(inodes: set[int]) -> dict[int, tuple[int, str]]:
    """The process holding each socket inode, (pid, name), from /proc/PID/fd."""
    found: dict[int, tuple[int, str]] = {}
    if not inodes:
        return found
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                link = str(fd.readlink())
                if link.startswith("socket:[") and int(link[8:-1]) in inodes:
                    name = (proc / "comm").read_text().strip()
                    found[int(link[8:-1])] = (int(proc.name), name)
        except (OSError, ValueError):
            continue  # gone, or not ours to look into
    return found

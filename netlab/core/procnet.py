"""Counters the kernel keeps about sockets, read from ``/proc/net`` (Linux; None elsewhere)."""

from __future__ import annotations

import os
from pathlib import Path


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

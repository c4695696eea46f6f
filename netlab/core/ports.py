"""Free ports for a lab, chosen by the kernel (port 0) and free for both TCP and UDP."""

from __future__ import annotations

import errno
import socket

from netlab.core.kernel_view import local_ports

LOOPBACK = "127.0.0.1"


def free_ports(count: int, host: str = LOOPBACK) -> list[int]:
    """``count`` distinct ports on ``host`` that nothing listens on, for TCP and UDP alike, and
    that the kernel has no socket on at all: a connection of an earlier lab still in TIME-WAIT
    on a port would be in this lab's kernel view (and in what a bind that fails reports).

    The ports are only probed, not held: an actor binds them a moment later. The kernel hands
    out ephemeral ports in a way that makes an immediate reuse by someone else unlikely.
    """
    ports: list[int] = []
    taken, tries = local_ports(), 0
    while len(ports) < count:
        tries += 1
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind((host, 0))
            port = tcp.getsockname()[1]
            if port in ports or (port in taken and tries < 1000):
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind((host, port))
                except OSError as exc:
                    if exc.errno == errno.EADDRINUSE:
                        continue
                    raise
        ports.append(port)
    return ports

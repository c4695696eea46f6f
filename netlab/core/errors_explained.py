"""Every error a socket call can raise in a lab, explained: what it means, the usual cause,
how to confirm it (``ss``, the Kernel tab) and what to change in the code. Data, by errno name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorHelp:
    means: str
    cause: str
    confirm: str
    fix: str

    def text(self, port: int | None = None) -> str:
        confirm = self.confirm.replace(":PORT", f":{port}") if port else self.confirm
        return "\n".join(
            (
                f"What it means: {self.means}",
                f"Usual cause: {self.cause}",
                f"Confirm: {confirm}",
                f"In the code: {self.fix}",
            )
        )


ERRORS = {
    "ECONNREFUSED": ErrorHelp(
        "nothing listens on that address and port: the kernel answered the SYN with RST.",
        "the server is not started yet, has ended, or bound another port or address.",
        "`ss -ltn` lists no listening socket on that port (the Kernel tab neither).",
        "start the server first, connect to the port it bound; connect_ex() returns 111 "
        "instead of raising, to retry in a loop.",
    ),
    "EADDRINUSE": ErrorHelp(
        "another socket already has that address and port.",
        "a server still running, or a closed one whose connection is in TIME-WAIT.",
        "`ss -tan | grep :PORT` shows who holds it (the Kernel tab: LISTEN or TIME-WAIT).",
        "stop the other server, or set SO_REUSEADDR before bind() to reuse a port in "
        "TIME-WAIT; or bind port 0 and let the kernel choose.",
    ),
    "EACCES": ErrorHelp(
        "permission denied.",
        "ports below 1024 need privileges (or a datagram to a broadcast address).",
        "`sysctl net.ipv4.ip_unprivileged_port_start` (1024 by default).",
        "use a port above 1023, or port 0.",
    ),
    "EADDRNOTAVAIL": ErrorHelp(
        "that IP address is not one of this machine's.",
        "a typo in the address, or another machine's address.",
        "`ip addr` lists this machine's addresses.",
        "bind to 127.0.0.1 (or ::1), or to an address `ip addr` lists.",
    ),
    "ECONNRESET": ErrorHelp(
        "the peer reset the connection (RST): it is gone at once, unread data with it.",
        "the peer closed with data still unread, closed with SO_LINGER 0, or its process died.",
        "the Trace shows the peer's close() just before; `ss -tan` no longer lists the pair.",
        "read what the peer sends before closing; treat ConnectionResetError as the end of "
        "the connection (close your socket).",
    ),
    "EPIPE": ErrorHelp(
        "you sent to a connection whose other end is closed.",
        "the peer closed; the first send after it went out and was answered with RST, so "
        "the next one fails.",
        "the Kernel tab shows the socket in CLOSE-WAIT or gone; the peer's close() is in "
        "the Trace.",
        "check recv() for b'' (the peer closed) before sending; catch BrokenPipeError.",
    ),
    "ENOTCONN": ErrorHelp(
        "the socket is not connected.",
        "send() or recv() on a TCP socket before connect() or on a listening socket.",
        "the Kernel tab shows no ESTAB row for the socket.",
        "call connect() first; on a server, use the socket accept() returns.",
    ),
    "EAGAIN": ErrorHelp(
        "nothing is ready and the socket is non-blocking (BlockingIOError).",
        "recv() with nothing received, send() with a full send buffer, accept() with no "
        "client waiting.",
        "the Kernel tab: Recv-Q 0 (nothing to read) or a full Send-Q.",
        "wait with select() or selectors until the socket is ready, then try again.",
    ),
    "EINPROGRESS": ErrorHelp(
        "a non-blocking connect() has started and is not finished yet.",
        "connect() on a socket set non-blocking (setblocking(False)).",
        "the Kernel tab shows SYN-SENT, or ESTAB once it is done.",
        "wait until the socket is writable (select/selectors), then read SO_ERROR: 0 means "
        "connected.",
    ),
    "EALREADY": ErrorHelp(
        "a non-blocking connect() is already under way on this socket.",
        "connect() called again before the first one finished.",
        "the Kernel tab shows SYN-SENT.",
        "wait for writable and read SO_ERROR instead of calling connect() again.",
    ),
    "EISCONN": ErrorHelp(
        "the socket is already connected.",
        "connect() called twice, or sendto() with an address on a connected socket.",
        "the Kernel tab shows the socket ESTAB.",
        "connect once; on a connected socket use send().",
    ),
    "EMSGSIZE": ErrorHelp(
        "the datagram is too long to send.",
        "more than 65,507 bytes of data in one UDP datagram over IPv4.",
        "len() of what you sent.",
        "send smaller datagrams, or use TCP for large data.",
    ),
    "EBADF": ErrorHelp(
        "the socket is already closed (its file descriptor is no longer valid).",
        "a call after close(), or after a with block has closed the socket.",
        "the Trace shows the close() before this call.",
        "make the call before closing, or keep the socket open while you need it.",
    ),
    "EINVAL": ErrorHelp(
        "the call does not fit the socket's state or its arguments.",
        "a second bind(), listen() on a UDP socket, or an option value out of range.",
        "the Trace shows the calls made on this socket before.",
        "check the order of the calls: socket, bind, listen, accept (or socket, connect).",
    ),
    "ETIMEDOUT": ErrorHelp(
        "the other side did not answer in time.",
        "a timeout set with settimeout() passed, or the kernel gave up retransmitting.",
        "the Trace shows the wait and its timeout on the virtual clock.",
        "catch TimeoutError and retry or give up; a longer timeout waits longer.",
    ),
    "ECONNABORTED": ErrorHelp(
        "a connection was ended before accept() took it.",
        "a client that connected and reset before the server accepted it.",
        "the client's close in the Trace, before the server's accept().",
        "catch ConnectionAbortedError in the accept loop and accept the next one.",
    ),
    "ENETUNREACH": ErrorHelp(
        "no route to that network.",
        "an address of a network this machine has no route to.",
        "`ip route get ADDRESS`.",
        "use a loopback address in a lab (127.0.0.1 or ::1).",
    ),
    "EHOSTUNREACH": ErrorHelp(
        "no route to that host.",
        "the host is down or an address this machine cannot reach.",
        "`ip route get ADDRESS`.",
        "use a loopback address in a lab (127.0.0.1 or ::1).",
    ),
}

# A timeout set with settimeout() raises TimeoutError without an errno.
TIMEOUT = ErrorHelp(
    "the timeout set with settimeout() passed before anything was ready.",
    "the peer sent nothing in that time (or the datagram was lost).",
    "the Trace shows the call blocked, then the virtual clock reaching its timeout.",
    "catch TimeoutError (socket.timeout) and retry, give up, or wait longer.",
)

# Where a UDP socket's error has another cause than a TCP socket's.
DATAGRAM_ERRORS = {
    "ECONNREFUSED": ErrorHelp(
        "a datagram this socket sent earlier reached a port where nothing listens: the "
        "kernel there answered with ICMP 'port unreachable', and Linux reports it on the "
        "next call of this connected UDP socket. UDP itself never tells a sender anything.",
        "the server is not started, or listens on another port.",
        "`ss -uln` lists no socket on that port.",
        "start the receiver first; catch ConnectionRefusedError and retry.",
    ),
}

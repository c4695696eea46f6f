"""Explanations: what a call does, what just happened, and for an error its likely cause and
how to confirm it (with ``ss``, the socket statistics tool).

Plain text, computed from an event alone; the views show it beside the step.
"""

from __future__ import annotations

from netlab.core import events as ev
from netlab.core.events import Event
from netlab.core.safe_text import visible

WHAT = {
    "socket": "socket() asks the kernel for a new socket: a file descriptor, not yet bound to "
    "any address. SOCK_STREAM is TCP (a reliable, ordered byte stream); SOCK_DGRAM is UDP "
    "(separate datagrams, no guarantee).",
    "bind": "bind() gives the socket its local address: the IP and port others will reach it "
    "on. Ports below 1024 need privileges; port 0 lets the kernel choose a free one.",
    "listen": "listen() turns a bound TCP socket into a listening one: the kernel now completes "
    "handshakes for it and queues the new connections (the backlog) until accept() takes them.",
    "accept": "accept() takes the next connection from the listening socket's queue and returns "
    "a NEW socket for it, plus the client's address. The listening socket stays as it was, "
    "ready for the next client.",
    "connect": "connect() opens a TCP connection: the kernel sends SYN, the peer answers "
    "SYN-ACK, the kernel sends ACK (the three-way handshake). On a UDP socket it only fixes "
    "the default destination.",
    "connect_ex": "connect_ex() is connect() that returns the error number instead of raising: "
    "0 when connected, EINPROGRESS (115 on Linux) on a non-blocking socket still connecting.",
    "send": "send() copies bytes into the kernel's send buffer and returns how many it took, "
    "which may be fewer than you gave: check the count, or use sendall().",
    "sendall": "sendall() calls send() until every byte is in the kernel's send buffer. It does "
    "not mean the peer has read them: the kernel delivers them later.",
    "sendto": "sendto() sends one UDP datagram to the address given. No connection, no "
    "acknowledgement: if it is lost, nobody tells you.",
    "recv": "recv(n) returns up to n bytes the kernel has received, as soon as there are any. "
    "TCP is a byte stream: the bytes of several sends may come together, or one send in "
    "pieces. b'' means the peer closed its side (end of file).",
    "recv_into": "recv_into() is recv() that writes into a buffer you own.",
    "recvfrom": "recvfrom(n) returns one whole UDP datagram and the sender's address. A "
    "datagram longer than n is cut to n bytes, and the rest is lost.",
    "setblocking": "setblocking(False) makes calls return at once: instead of waiting they "
    "raise BlockingIOError (EAGAIN) when nothing is ready.",
    "settimeout": "settimeout(t) makes calls wait at most t seconds, then raise TimeoutError. "
    "None waits forever; 0 is non-blocking. In netlab the wait is on the virtual clock.",
    "setsockopt": "setsockopt() changes an option of the socket: SO_REUSEADDR lets a server "
    "bind a port still in TIME-WAIT, SO_RCVBUF sets the receive buffer size.",
    "getsockname": "getsockname() returns the socket's own address (the kernel's choice of port "
    "when it chose one).",
    "getpeername": "getpeername() returns the address of the other end of a connection.",
    "shutdown": "shutdown() closes one direction: SHUT_WR sends FIN (the peer's recv returns b'') "
    "while you can still receive.",
    "close": "close() releases the socket. For TCP the kernel sends FIN after any data still "
    "buffered; the side that closes first passes through TIME-WAIT.",
    "select": "select() waits until one of the sockets is ready (readable, writable) or the "
    "timeout passes: one thread can serve many clients this way.",
    "poll": "poll() waits until one of the registered sockets is ready or the timeout (in "
    "milliseconds) passes: select() without its limit on descriptor numbers.",
    "epoll_wait": "epoll.poll() waits until one of the registered sockets is ready or the "
    "timeout passes; the kernel keeps the watch list, so each call costs the same however many "
    "sockets are watched.",
    "register": "register() adds a socket to the selector's watch list with the events (READ, "
    "WRITE) you care about.",
    "modify": "modify() changes which events the selector watches for on a socket.",
    "unregister": "unregister() stops watching a socket; do it before you close it.",
    "sleep": "time.sleep() pauses the actor. In netlab it is on the virtual clock: the lab "
    "jumps ahead instead of waiting.",
    "create_connection": "socket.create_connection() is a helper: it resolves the address, "
    "creates a socket and connects it (the steps inside show each call).",
    "create_server": "socket.create_server() is a helper: socket, SO_REUSEADDR, bind and listen.",
}

WHY = {
    "ECONNREFUSED": "Nothing listens on that address and port: the kernel answered the SYN with "
    "RST. Is the server started, and did it bind the same port? Confirm with `ss -ltn` (a "
    "listening socket on that port should be there).",
    "EADDRINUSE": "Another socket already has that address: a server still running, or a "
    "closed one in TIME-WAIT. Confirm with `ss -tan | grep :PORT`; set SO_REUSEADDR before "
    "bind() to reuse a port in TIME-WAIT.",
    "EACCES": "Ports below 1024 need privileges. Use a port above 1023 (or port 0).",
    "EADDRNOTAVAIL": "That IP address is not one of this machine's. Bind to 127.0.0.1 or to an "
    "address `ip addr` lists.",
    "ECONNRESET": "The peer closed the connection abruptly (RST), often because it closed with "
    "unread data. Confirm with `ss -tan` around the time of the error.",
    "EPIPE": "You sent to a connection the peer has already closed. The first send after the "
    "close succeeds, the next raises EPIPE. Check recv() for b'' before sending.",
    "ENOTCONN": "The socket is not connected: call connect() (or accept()) first.",
    "EAGAIN": "Nothing is ready and the socket is non-blocking: try again later, or wait with "
    "select().",
    "EINPROGRESS": "A non-blocking connect has started: wait until the socket is writable, then "
    "check SO_ERROR.",
    "EMSGSIZE": "The datagram is too long for UDP over IPv4 (65,507 bytes of data at most).",
    "EBADF": "The socket is already closed.",
    "EINVAL": "The call does not fit the socket's state (listen() on an unbound UDP socket, a "
    "second bind()...).",
    "ETIMEDOUT": "The other side did not answer in time.",
}


def explain(event: Event) -> str:
    """What the call of ``event`` does, and what happened this time."""
    what = WHAT.get(event.op, "")
    if event.kind == ev.BLOCK:
        happened = (
            f"This time nothing was ready, so {event.actor} waits here: netlab lets the other "
            "actors run and resumes this call when the kernel says the socket is ready"
            + (" or its timeout passes." if event.result is not None else ".")
        )
        return _join(what, happened)
    if event.kind == ev.RAISE:
        name = event.errno or ""
        happened = f"It failed: {visible(event.error or '')}."
        why = WHY.get(name, "")
        if event.error and event.error.startswith("TimeoutError"):
            why = "The timeout set with settimeout() passed before anything was ready."
        return _join(what, happened, why)
    if event.kind == ev.RETURN:
        return _join(what, _returned(event))
    if event.kind == ev.WAKE:
        if event.result == "timeout":
            return f"The virtual clock reached the timeout of {event.actor}'s {event.op}()."
        return (
            f"The kernel now says {event.actor}'s socket is ready, so its {event.op}() can go "
            "on: the next step completes it."
        )
    if event.kind == ev.ACTOR_EXIT and event.error:
        return _join(
            f"{event.actor} raised an exception its code did not catch, so it ended; netlab "
            "stopped the other actors. Its own traceback:",
            visible(event.text, multiline=True),
        )
    if event.kind == ev.END and event.result == "crashed":
        return (
            "An actor raised an exception. Choose its 'crashed' row in the trace (↑) and this tab "
            "shows its traceback."
        )
    if event.kind == ev.END and event.result == "timeout":
        return (
            "An actor ran too long without a socket call (an endless loop?) and was stopped. "
            "Its last calls are the last rows of the trace."
        )
    if event.kind == ev.YIELD:
        return (
            "Real processes run side by side; in netlab one actor runs at a time. An actor that "
            "polls (a non-blocking call that finds nothing, a select() that returns at once) or "
            "runs long without waiting would keep the others from ever running, so it gives way "
            "here, and goes on when the actors that can run have had their turn."
        )
    if event.kind == ev.LINK:
        return (
            "A decision of netlab's link model (not the kernel): it says what happened to this "
            "packet and why. The seed makes the same decisions every run."
        )
    if event.kind == ev.DEADLOCK or (event.kind == ev.END and event.result == "deadlock"):
        # The report names each actor and the call it is stuck in: one line each.
        stuck = [part.strip() for part in visible(event.text).split(";") if part.strip()]
        stuck = [part for part in stuck if part != "nothing can happen any more"]
        return _join(
            "Every actor waits for another, and nothing else can happen: a deadlock. A classic "
            "cause: both peers call recv() first. One side must send before it receives.",
            "\n".join(f"  {part}" for part in stuck),
        )
    return ""


def _returned(event: Event) -> str:
    op = event.op
    stream = event.sock is not None and event.sock.type == "SOCK_STREAM"
    if op in ("recv", "recv_into") and event.data == b"" and stream:
        return "It returned b'': the peer has closed its side. No more data will come."
    if op in ("recv", "recv_into", "recvfrom") and event.data is not None:
        return f"{event.data_len} bytes arrived."
    if op in ("send", "sendto") and isinstance(event.result, int):
        return f"The kernel took {event.result} bytes."
    if op == "accept" and event.new_sock is not None:
        return f"A client connected; the new socket {event.new_sock.id} is its connection."
    if op == "bind" and event.sock is not None and event.sock.local:
        return "The socket now has its address."
    return ""


def _join(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)

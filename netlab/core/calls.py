"""The traced calls, as data: one entry per call, read by every part that needs to know what a
call is (DESIGN §2.2) — the shim and the conductor (what it may wait for, whether it can be
partial, whether it changes anything another actor waits for), the reducer and the analysis
(which way data moves, the socket's state after it), the ladder, ``describe``, ``strace`` and
``explain``. Adding a traced call is an entry here plus its method in the shim; a test checks
that the two agree.

An entry's ``strace`` line is a template filled by :mod:`netlab.core.strace` from the event:
``{fd}``, ``{buf}`` (the data as strace prints it), ``{len}`` (bytes of data), ``{size}`` (the
first argument), ``{addr}`` (the first argument as a sockaddr), ``{dest}`` (the last argument
as a sockaddr), ``{result_addr}`` (the address returned), ``{addrlen}``, ``{args0}``...,
``{ret}`` (what the system call returned, or its error), and a few for one call each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

# What a call may wait for.
NEVER, READ, WRITE, READY, TIME = "", "read", "write", "ready", "time"
THREAD_WAIT = "another thread"
KEYBOARD = "the keyboard"  # a line typed (in the TUI) or given (--input)
# Which way its data moves.
NO_DATA, OUT, IN = "", "out", "in"
# What it returns, as the views describe it.
NOTHING = "nothing"  # None
SOCKET = "socket"  # a new lab socket (socket(), create_connection, create_server)
CONNECTION = "connection"  # (socket, address): accept
COUNT = "count"  # bytes sent, or received into a buffer
DATA = "data"  # bytes received
DATA_FROM = "data from"  # (bytes, address): recvfrom; its event's result is the address
COUNT_FROM = "count from"  # (count, address): recvfrom_into; its event's result is the address
# (bytes, ancillary data, flags, address): recvmsg; its event's result is the address, and its
# extra the message's flags ("msg_flags") and how many ancillary items came ("ancillary")
DATA_MSG = "data msg"
ERROR_NUMBER = "error number"  # 0 or an errno: connect_ex
ADDRESS = "address"  # getsockname, getpeername
OPTION = "option"  # an option's value: getsockopt
READY_LIST = "ready list"  # what select, poll and epoll found ready
VALUE = "value"  # anything else

# The states a lab socket goes through, as seen from its calls.
NEW, BOUND, LISTENING, CONNECTED, PEER_CLOSED, SHUT, CLOSED = (
    "new",
    "bound",
    "listening",
    "connected",
    "peer closed",
    "shut down",
    "closed",
)

# Where a call is found, as the learner writes it.
SOCKET_METHOD = "socket.socket"
SOCKET_MODULE = "socket"
SELECTOR = "selectors"
SELECT_MODULE = "select"
POLL = "select.poll"
EPOLL = "select.epoll"
TIME_MODULE = "time"
THREAD = "threading.Thread"
LOCK = "threading.Lock"  # and what waits on one: Condition, Event, Semaphore, queue.Queue
STDIN = "sys.stdin"  # and input(), which reads a line from it


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    what: str  # what the call does, in a sentence or three
    strace: str  # the system call(s) strace shows for it (see the module's docstring)
    where: tuple[str, ...] = (SOCKET_METHOD,)
    method: str = ""  # its name there, if not ``name``
    waits: str = NEVER
    # May have done part of its work when it blocks or fails (bytes sent, a SYN out): the
    # conductor counts that as a change another actor may be waiting for. (A datagram is
    # never sent in part; a read with MSG_WAITALL says so in its call message.)
    partial: bool = False
    # Its success changes nothing another actor could be waiting for.
    inert: bool = False
    data: str = NO_DATA
    # Its data goes to the address in this argument (when it has one), not to the peer.
    address_at: int | None = None
    data_first: bool = False  # its first argument is the data (a call shows it as a preview)
    returns: str = NOTHING
    state: str | None = None  # the socket's state after it succeeds
    datagram: str = ""  # what it does on a UDP socket, where that is not ``what``
    compound: bool = False  # a Python helper: its steps are the calls made inside it
    woken_by: str = "the kernel says the socket is ready"  # what lets it go on when it waits

    @property
    def method_name(self) -> str:
        return self.method or self.name

    def succeeded(self, result: object) -> bool:
        """Whether a call that returned ``result`` did its work (connect_ex returns 0 or not)."""
        return self.returns != ERROR_NUMBER or result == 0


_CALLS = [
    Call(
        "socket",
        "socket() asks the kernel for a new socket: a file descriptor, not yet bound to any "
        "address. SOCK_STREAM is TCP (a reliable, ordered byte stream); SOCK_DGRAM is UDP "
        "(separate datagrams, no guarantee).",
        "socket({family}, {type}|SOCK_CLOEXEC, {proto}) = {ret}",
        method="__init__",
        returns=SOCKET,
        state=NEW,
    ),
    Call(
        "bind",
        "bind() gives the socket its local address: the IP and port others will reach it on. "
        "Ports below 1024 need privileges; port 0 lets the kernel choose a free one.",
        "bind({fd}, {addr}, {addrlen}) = {ret}",
        state=BOUND,
    ),
    Call(
        "listen",
        "listen() turns a bound TCP socket into a listening one: the kernel now completes "
        "handshakes for it and queues the new connections (the backlog) until accept() takes "
        "them.",
        "listen({fd}, {backlog}) = {ret}",
        state=LISTENING,
    ),
    Call(
        "accept",
        "accept() takes the next connection from the listening socket's queue and returns a NEW "
        "socket for it, plus the client's address. The listening socket stays as it was, ready "
        "for the next client.",
        "accept4({fd}, {new_peer}, [{addrlen}], SOCK_CLOEXEC) = {ret}",
        waits=READ,
        returns=CONNECTION,
    ),
    Call(
        "connect",
        "connect() opens a TCP connection: the kernel sends SYN, the peer answers SYN-ACK, the "
        "kernel sends ACK (the three-way handshake). On a UDP socket it only fixes the default "
        "destination.",
        "connect({fd}, {addr}, {addrlen}) = {ret}",
        waits=WRITE,
        partial=True,
        state=CONNECTED,
    ),
    Call(
        "connect_ex",
        "connect_ex() is connect() that returns the error number instead of raising: 0 when "
        "connected, EINPROGRESS (115 on Linux) on a non-blocking socket still connecting.",
        "connect({fd}, {addr}, {addrlen}) = {ret}",
        waits=WRITE,
        partial=True,
        returns=ERROR_NUMBER,
        state=CONNECTED,
    ),
    Call(
        "send",
        "send() copies bytes into the kernel's send buffer and returns how many it took, which "
        "may be fewer than you gave: check the count, or use sendall().",
        "sendto({fd}, {buf}, {len}, 0, NULL, 0) = {ret}",
        waits=WRITE,
        partial=True,
        data=OUT,
        data_first=True,
        returns=COUNT,
        datagram="send() on a connected UDP socket sends the bytes as one datagram to the "
        "address connect() fixed; it takes all of them or fails.",
    ),
    Call(
        "sendall",
        "sendall() calls send() until every byte is in the kernel's send buffer. It does not "
        "mean the peer has read them: the kernel delivers them later.",
        "sendto({fd}, {buf}, {len}, 0, NULL, 0) = {ret}",
        waits=WRITE,
        partial=True,
        data=OUT,
        data_first=True,
    ),
    Call(
        "sendto",
        "sendto() sends one UDP datagram to the address given. No connection, no "
        "acknowledgement: if it is lost, nobody tells you.",
        "sendto({fd}, {buf}, {len}, 0, {dest}, {addrlen}) = {ret}",
        waits=WRITE,
        data=OUT,
        data_first=True,
        address_at=-1,
        returns=COUNT,
    ),
    Call(
        "sendmsg",
        "sendmsg() sends the bytes of a list of buffers as one message: one UDP datagram, or "
        "bytes of a TCP stream, to the address given (else the peer). It returns how many bytes "
        "it sent.",
        "sendmsg({fd}, {{msg_name={msg_name}, msg_iov=[{{iov_base={buf}, iov_len={len}}}], "
        "msg_iovlen=1, msg_controllen=0, msg_flags=0}}, {flags}) = {ret}",
        waits=WRITE,
        partial=True,
        data=OUT,
        address_at=2,  # after the data and the flags, when it is given one
        data_first=True,
        returns=COUNT,
    ),
    Call(
        "sendfile",
        "sendfile() sends a file's bytes over a connected socket, copied by the kernel from the "
        "file to the socket without passing through your program. It returns how many bytes it "
        "sent; like sendall(), it goes on until all are sent.",
        "sendfile({fd}, {args0}, [{args1}] => [{file_end}], {count}) = {ret}",
        waits=WRITE,
        partial=True,
        data=OUT,
        returns=COUNT,
    ),
    Call(
        "recv",
        "recv(n) returns up to n bytes the kernel has received, as soon as there are any. TCP "
        "is a byte stream: the bytes of several sends may come together, or one send in pieces. "
        "b'' means the peer closed its side (end of file).",
        "recvfrom({fd}, {buf}, {size}, 0, NULL, NULL) = {ret}",
        waits=READ,
        data=IN,
        returns=DATA,
        datagram="recv(n) on a UDP socket returns one whole datagram (cut to n bytes: the rest "
        "of a longer one is lost). Datagrams never join or split; b'' is an empty datagram, not "
        "an end.",
    ),
    Call(
        "recv_into",
        "recv_into() is recv() that writes into a buffer you own, and returns how many bytes it "
        "wrote; 0 means the peer closed its side.",
        "recvfrom({fd}, {buf}, {size}, 0, NULL, NULL) = {ret}",
        waits=READ,
        data=IN,
        returns=COUNT,
    ),
    Call(
        "recvfrom",
        "recvfrom(n) returns one whole UDP datagram and the sender's address. A datagram longer "
        "than n is cut to n bytes, and the rest is lost.",
        "recvfrom({fd}, {buf}, {size}, 0, {result_addr}, [{addrlen}]) = {ret}",
        waits=READ,
        data=IN,
        returns=DATA_FROM,
    ),
    Call(
        "recvmsg",
        "recvmsg(n) is recvfrom() that also says how the message came: it returns the bytes, "
        "the ancillary data, the message's flags and the sender's address. MSG_TRUNC in the "
        "flags says a datagram was longer than n bytes: its tail is lost.",
        "recvmsg({fd}, {{msg_name={result_addr}, msg_namelen={addrlen}, msg_iov=[{{iov_base="
        "{buf}, iov_len={size}}}], msg_iovlen=1, msg_controllen=0, msg_flags={msg_flags}}}, "
        "{flags}) = {ret}",
        waits=READ,
        data=IN,
        returns=DATA_MSG,
    ),
    Call(
        "recvfrom_into",
        "recvfrom_into() is recvfrom() that writes the datagram into a buffer you own: it "
        "returns how many bytes it wrote and the sender's address.",
        "recvfrom({fd}, {buf}, {size}, 0, {result_addr}, [{addrlen}]) = {ret}",
        waits=READ,
        data=IN,
        returns=COUNT_FROM,
    ),
    Call(
        "setblocking",
        "setblocking(False) makes calls return at once: instead of waiting they raise "
        "BlockingIOError (EAGAIN) when nothing is ready.",
        "ioctl({fd}, FIONBIO, [{nonblocking}]) = 0",
        inert=True,
    ),
    Call(
        "settimeout",
        "settimeout(t) makes calls wait at most t seconds, then raise TimeoutError. None waits "
        "forever; 0 is non-blocking. In netlab the wait is on the virtual clock.",
        "(settimeout: no system call; Python keeps the timeout and uses poll) fd {fd}",
        inert=True,
    ),
    Call(
        "setsockopt",
        "setsockopt() changes an option of the socket: SO_REUSEADDR lets a server bind a port "
        "still in TIME-WAIT, SO_RCVBUF sets the receive buffer size.",
        "setsockopt({fd}, {args0}, {args1}, [{args2}], 4) = {ret}",
    ),
    Call(
        "getsockopt",
        "getsockopt() reads an option of the socket. After a non-blocking connect, SO_ERROR "
        "says how it went: 0 when connected, else the error number (and reading it clears it).",
        "getsockopt({fd}, {args0}, {args1}, [{result}], [4]) = {ret}",
        inert=True,
        returns=OPTION,
    ),
    Call(
        "getsockname",
        "getsockname() returns the socket's own address (the kernel's choice of port when it "
        "chose one).",
        "getsockname({fd}, {result_addr}, [{addrlen}]) = {ret}",
        inert=True,
        returns=ADDRESS,
    ),
    Call(
        "getpeername",
        "getpeername() returns the address of the other end of a connection.",
        "getpeername({fd}, {result_addr}, [{addrlen}]) = {ret}",
        inert=True,
        returns=ADDRESS,
    ),
    Call(
        "shutdown",
        "shutdown() closes one direction: SHUT_WR sends FIN (the peer's recv returns b'') "
        "while you can still receive.",
        "shutdown({fd}, {how}) = {ret}",
        state=SHUT,
    ),
    Call(
        "close",
        "close() releases the socket. For TCP the kernel sends FIN after any data still "
        "buffered; the side that closes first passes through TIME-WAIT.",
        "close({fd}) = {ret}",
        state=CLOSED,
    ),
    Call(
        "select",
        "select() waits until one of the sockets is ready (readable, writable) or the timeout "
        "passes: one thread can serve many clients this way.",
        "epoll_wait(...) / pselect6(...): netlab asks the kernel without waiting",
        where=(SELECT_MODULE, SELECTOR),
        waits=READY,
        inert=True,
        returns=READY_LIST,
    ),
    Call(
        "poll",
        "poll() waits until one of the registered sockets is ready or the timeout (in "
        "milliseconds) passes: select() without its limit on descriptor numbers.",
        "epoll_wait(...) / pselect6(...): netlab asks the kernel without waiting",
        where=(POLL,),
        waits=READY,
        inert=True,
        returns=READY_LIST,
    ),
    Call(
        "epoll_wait",
        "epoll.poll() waits until one of the registered sockets is ready or the timeout passes; "
        "the kernel keeps the watch list, so each call costs the same however many sockets are "
        "watched.",
        "epoll_wait(...) / pselect6(...): netlab asks the kernel without waiting",
        where=(EPOLL,),
        method="poll",
        waits=READY,
        inert=True,
        returns=READY_LIST,
    ),
    Call(
        "register",
        "register() adds a socket to the selector's watch list with the events (READ, WRITE) "
        "you care about.",
        "epoll_ctl(epfd, EPOLL_CTL_ADD, {args0}, ...) = {ret}",
        where=(SELECTOR,),
        inert=True,
    ),
    Call(
        "modify",
        "modify() changes which events the selector watches for on a socket.",
        "epoll_ctl(epfd, EPOLL_CTL_MOD, {args0}, ...) = {ret}",
        where=(SELECTOR,),
        inert=True,
    ),
    Call(
        "unregister",
        "unregister() stops watching a socket; do it before you close it.",
        "epoll_ctl(epfd, EPOLL_CTL_DEL, {args0}, ...) = {ret}",
        where=(SELECTOR,),
        inert=True,
    ),
    Call(
        "sleep",
        "time.sleep() pauses the actor. In netlab it is on the virtual clock: the lab jumps "
        "ahead instead of waiting.",
        "clock_nanosleep(CLOCK_MONOTONIC, 0, {{tv_sec={seconds}}}, ...): virtual in netlab",
        where=(TIME_MODULE,),
        waits=TIME,
        inert=True,
        woken_by="its time is up on the virtual clock",
    ),
    Call(
        "readline",
        "sys.stdin.readline() (and input(), which calls it) reads one line of standard input: at "
        "a terminal it waits until a line is typed and Enter pressed; at the end of input (Ctrl-D) "
        "it returns ''. In netlab the line is typed into the actor's panel (i), or given "
        "beforehand with --input.",
        "read(0, {buf}, 1024) = {len}",
        where=(STDIN,),
        waits=KEYBOARD,
        inert=True,
        returns=VALUE,
        woken_by="a line was typed, or the input ended",
    ),
    Call(
        "read",
        "sys.stdin.read() reads standard input to its end (Ctrl-D at a terminal), or read(n) up to "
        "n characters; it waits while there is not enough. In netlab what it reads is typed into "
        "the actor's panel (i), or given beforehand with --input.",
        "read(0, {buf}, 1024) = {len}",
        where=(STDIN,),
        waits=KEYBOARD,
        inert=True,
        returns=VALUE,
        woken_by="what it waits for was typed, or the input ended",
    ),
    Call(
        "join",
        "Thread.join() waits until the thread ends. In netlab each thread is a lane of its "
        "actor, scheduled like an actor: while this one waits, the others run.",
        "futex(..., FUTEX_WAIT_BITSET_PRIVATE, ...) = {ret}: the kernel wakes it when {args0} ends",
        where=(THREAD,),
        waits=THREAD_WAIT,
        inert=True,
        woken_by="the thread has ended",
    ),
    Call(
        "wait",
        "A thread waits for another thread of its program: for a lock another holds, or for "
        "an event, a condition or a queue another will set or fill ({args0}). The kernel puts "
        "it to sleep on a futex until then; in netlab the other threads run meanwhile, one at "
        "a time.",
        "futex(..., FUTEX_WAIT_PRIVATE, ...) = {ret}: in {args0}",
        where=(LOCK,),
        method="acquire",
        waits=THREAD_WAIT,
        inert=True,
        woken_by="another thread let it go",
    ),
    Call(
        "create_connection",
        "socket.create_connection() is a helper: it resolves the address, creates a socket and "
        "connects it (the steps inside show each call).",
        "(create_connection is a Python helper: the system calls are the steps inside it)",
        where=(SOCKET_MODULE,),
        returns=SOCKET,
        state=CONNECTED,
        compound=True,
    ),
    Call(
        "create_server",
        "socket.create_server() is a helper: socket, SO_REUSEADDR, bind and listen.",
        "(create_server is a Python helper: the system calls are the steps inside it)",
        where=(SOCKET_MODULE,),
        returns=SOCKET,
        state=LISTENING,
        compound=True,
    ),
]

CALLS = MappingProxyType({call.name: call for call in _CALLS})

# A call netlab does not know (from a recording of a newer version): nothing is assumed of it.
UNKNOWN = Call("", "", "{name}(...) = {ret}", where=(), returns=VALUE)


def call(name: str) -> Call:
    """The entry for a call by its name; :data:`UNKNOWN` for a name not in the table."""
    return CALLS.get(name, UNKNOWN)


def destination(name: str, args: Sequence[Any], peer: Any) -> Any:
    """Where a send's data went: the address its last argument names (sendto; sendmsg given
    one), else the socket's peer."""
    at = call(name).address_at
    if at is None or not -len(args) <= at < len(args):
        return peer
    return args[at]


PARTIAL = frozenset(entry.name for entry in _CALLS if entry.partial)
INERT = frozenset(entry.name for entry in _CALLS if entry.inert)
SENDS = frozenset(entry.name for entry in _CALLS if entry.data == OUT)
RECEIVES = frozenset(entry.name for entry in _CALLS if entry.data == IN)
WAITS_FOR_READY = frozenset(entry.name for entry in _CALLS if entry.waits == READY)
KEYBOARD_READS = frozenset(entry.name for entry in _CALLS if entry.waits == KEYBOARD)
READS = frozenset(entry.name for entry in _CALLS if entry.waits == READ)
# Calls whose result says whether they did their work (connect_ex: 0 or an error number).
RETURN_ERRORS = frozenset(entry.name for entry in _CALLS if entry.returns == ERROR_NUMBER)

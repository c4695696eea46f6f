"""The actor shim: traced ``socket.socket``, ``selectors.DefaultSelector``, ``select.select`` and
``time.sleep``, installed in an actor process before the scenario is loaded (DESIGN §2.1).

Every traced call is announced to the conductor (``call``), waits for its grant unless the actor
runs freely (run mode), and reports one outcome: ``return``, ``raise`` or ``block``. A socket's
file descriptor is kept non-blocking underneath; the actor's own blocking mode and timeout are
kept by the shim, so a call that would block asks the conductor, which resumes it when the
kernel says the socket is ready or when the virtual clock reaches its timeout.
"""

from __future__ import annotations

import _thread
import contextlib
import errno as errno_module
import functools
import io
import ipaddress
import os
import select as select_module
import selectors
import socket
import sys
import threading
import time
import weakref
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from netlab.core import calls, other_work, virtual_time, wire
from netlab.core.channel import Channel
from netlab.core.events import PREVIEW_LIMIT, cut
from netlab.core.kernel_view import udp_drops
from netlab.core.keyboard import Keyboard
from netlab.core.outbox import Outbox
from netlab.core.questions import Question

_RealSocket = socket.socket
_RealSelector = selectors.DefaultSelector
_real_select = select_module.select
_real_poll = select_module.poll
_real_epoll = getattr(select_module, "epoll", None)
_real_create_connection = socket.create_connection
_real_create_server = socket.create_server
_real_sleep = time.sleep
_real_monotonic = time.monotonic

# Frames in these files are netlab's or the standard library's: the call's source is the first
# frame outside them.
_SKIP_FILES = {__file__, socket.__file__, selectors.__file__}

_TRACER: Tracer | None = None
T = TypeVar("T")
# What a wait for readiness found: whether anything was readable (or had an error; None: the
# caller has work of its own, as asyncio's loop with callbacks to run), and which sockets (or
# descriptors) were writable.
Readiness = tuple[bool | None, frozenset[Any]]

# An actor that has made this many calls without waiting gives way to the others.
_CALLS_BEFORE_GIVING_WAY = 200


class Stopped(BaseException):
    """The conductor ended the lab while this actor was waiting."""


class Lane:
    """One thread's conversation with the conductor (DESIGN §2.1): the actor's main thread, or
    a thread it started, which the conductor schedules as an actor of its own."""

    def __init__(self, channel: Channel, thread: threading.Thread) -> None:
        self.channel = channel
        self.thread = thread
        self.send_lock = _thread.allocate_lock()  # output may come from threads that are not lanes
        self.unsent_call: dict[str, Any] | None = None
        self.unwaited = 0  # calls made since this lane last waited
        # What its last wait for readiness found writable, and whether it has changed anything
        # since (a call that did its work): the next wait finding only those is polling.
        self.writable_seen: frozenset[Any] = frozenset()
        self.changed_since_wait = False
        self.quiet = True  # nothing changed, nothing readable, since it last gave way or waited
        self.ended = _thread.allocate_lock()  # held until the lane has said it ended
        self.ended.acquire()


class Tracer:
    """The actor's side of the conversation with the conductor, over each of its lanes."""

    def __init__(self, channel: Channel, actor: str, *, free: bool, modelled: bool = False) -> None:
        self.actor = actor
        self.free = free  # run mode: calls go on without waiting for a grant
        # With a modelled link, sends are held here until the conductor's link delivers them.
        self.outbox = Outbox() if modelled else None
        self.active = False
        self.sockets: weakref.WeakValueDictionary[str, TracedSocket] = weakref.WeakValueDictionary()
        self._next_id = 0
        self.main_lane = Lane(channel, threading.main_thread())
        self._lanes = threading.local()  # .lane: the lane of a thread that is one
        self._warned_threads = False
        self.released = False  # a lock was released since the last message: say so
        self.child = False  # this process is a child the actor forked
        self.interrupted = False  # netlab gave it Ctrl-C (the others had finished)
        self.now = 0.0  # the virtual clock, as the conductor last said when it let this go on
        self.keyboard: Keyboard | None = None  # its sys.stdin (see actor_main)
        self.outside = False  # the lab lets programs outside it in: it may bind any address
        self._warned_fork = False
        self._forked = False  # it has forked a child (that may still run)

    @property
    def channel(self) -> Channel:
        return self.main_lane.channel

    def lane(self) -> Lane:
        """The lane of the calling thread; a thread that is none speaks on the main one."""
        lane: Lane | None = getattr(self._lanes, "lane", None)
        return self.main_lane if lane is None else lane

    def is_lane(self) -> bool:
        """Whether the calling thread is a lane: its calls are traced and scheduled."""
        return (
            threading.current_thread() is self.main_lane.thread
            or getattr(self._lanes, "lane", None) is not None
        )

    def enter_lane(self, lane: Lane) -> None:
        """The calling thread speaks on ``lane`` from now on."""
        self._lanes.lane = lane

    # -- the conversation -------------------------------------------------------------------

    def send(
        self, message: dict[str, Any], lane: Lane | None = None, fd: int | None = None
    ) -> None:
        """Send a message at once: the conductor works on it while this actor goes on (with
        the descriptor ``fd`` attached, if given)."""
        lane = self.lane() if lane is None else lane
        if self.released:
            self.released = False
            message = {**message, "released": True}
        with lane.send_lock:
            messages = []
            call, lane.unsent_call = lane.unsent_call, None
            if call is not None and message["t"] == wire.BLOCK:
                message = {**message, "call": call}  # the call that blocks, in one message
            elif call is not None:  # a call inside a call (create_connection)
                messages.append(call)
            messages.append(message)
            lane.channel.send(*messages, fd=fd)

    def wait_for_go(self) -> str:
        """Wait for the conductor's ``go`` (or ``timeout``), answering polls meanwhile."""
        return self._serve(None)

    def _serve(self, ready: Callable[[float], bool] | None, can_try: bool = False) -> str:
        """Answer the conductor until it says go on: ``go``, ``timeout``, or ``try`` (run
        mode, nobody else could go first: go on if the call can be done now, which the caller
        finds out by doing it, without asking the kernel first)."""
        channel = self.lane().channel
        while True:
            message = channel.recv()
            kind: str = message["t"]
            if kind == wire.GO or kind == wire.TIMEOUT:
                self.now = message.get("now", self.now)
                return kind
            if kind == wire.INTERRUPT:  # the others have finished: Ctrl-C, as by hand
                self.interrupted = True
                raise KeyboardInterrupt
            if kind == wire.POLL:
                self.now = message.get("now", self.now)
                wait = message.get("wait", 0.0)
                if can_try and not wait and message.get("go"):
                    return wire.TRY
                is_ready = ready(wait) if ready is not None else False
                if is_ready and message.get("go"):
                    # Run mode, and nobody else could go first: go on without asking. What it
                    # says next tells the conductor it was ready.
                    return wire.GO
                answer: dict[str, Any] = {"t": wire.READY, "ready": is_ready}
                if not is_ready:
                    if self._others_running():
                        answer["busy"] = True  # the clock must wait for it
                    if wait:  # before a deadlock is called: is anything else alive?
                        answer["working"] = other_work.alive()
                self.send(answer)
            elif kind == wire.DELIVER and self.outbox is not None:
                self.send(self.outbox.deliver(message["items"], self.sockets))
            elif kind == wire.FLUSH and self.outbox is not None:
                self.send(self.outbox.flush())
            elif kind == wire.KEYS and self.keyboard is not None:
                self.keyboard.feed(message["text"], message.get("end", False))
            elif kind == wire.BYE:
                raise Stopped
            else:
                raise RuntimeError(f"unexpected message from the conductor: {kind!r}")

    def forked(self) -> None:
        """In a child the actor forked: nothing is traced, and the channel is never read (the
        conversation is the parent's). What the child prints still reaches the lab, as the
        actor's output, as it would reach the terminal by hand; its sockets work untraced."""
        self.active = False
        self.outbox = None  # its sends go straight to the kernel
        self.child = True

    def _others_running(self) -> bool:
        """Whether a thread or child of this process is running besides the waiting call."""
        return other_work.running(self._forked or "subprocess" in sys.modules)

    def forked_child(self) -> None:
        """In the actor, once it has forked a child: say so, the first time."""
        self._forked = True
        if self.active and not self._warned_fork:
            self._warned_fork = True
            self.note("a forked child process's calls are not traced; what it prints is shown here")

    def tracing(self) -> bool:
        if not self.active:
            return False
        if not self.is_lane():  # a thread started before the lab began
            if not self._warned_threads:
                self._warned_threads = True
                self.note("calls made from threads started before the lab began are not traced")
            return False
        return True

    def note(self, text: str) -> None:
        self.send({"t": wire.NOTE, "text": cut(str(text))})

    def ask(self, question: Question) -> None:
        self.send({"t": wire.ASK, "text": cut(question.text), **question.to_extra()})

    def output(self, stream: str, line: str, partial: bool = False) -> None:
        message = {"t": wire.OUTPUT, "stream": stream, "text": line}
        self.send({**message, "partial": True} if partial else message)

    def new_socket_id(self) -> str:
        self._next_id += 1
        return f"{self.actor}#{self._next_id}"

    # -- one traced call ----------------------------------------------------------------------

    def call(
        self,
        op: str,
        args: list[Any],
        sock: TracedSocket | None,
        attempt: Callable[[bool], T],
        *,
        timeout: float | None = 0.0,
        ready: Callable[[float], bool] | None = None,
        data: Callable[[Any], Any] | None = None,
        result: Callable[[Any], Any] | None = None,
        extra: Callable[[], dict[str, Any]] | None = None,
        compound: bool = False,
        preview: Any = None,
        can_try: bool = False,
        readiness: Callable[[T], Readiness] | None = None,
        partial: bool = False,
        keyboard: bool = False,
    ) -> T:
        """Announce a call, perform it with ``attempt(timed_out)`` and report the outcome.

        ``attempt`` raises ``BlockingIOError`` when the call would block. If ``timeout`` is 0 the
        error is the actor's (a non-blocking socket); otherwise the call blocks until the
        conductor resumes it (``ready`` decides readiness) or the virtual ``timeout`` passes
        (``None``: no timeout), after which ``attempt(True)`` decides what a timeout means.
        """
        message: dict[str, Any] = {"t": wire.CALL, "op": op, "args": args, "source": _caller()}
        if sock is not None:
            message["sock"] = sock._nl_info
        if preview is not None:  # what a send is about to send, shown before it is done
            message["data"] = bytes(preview[:PREVIEW_LIMIT])
            message["data_len"] = len(preview)
        if partial:  # it may do part of its work, then wait for the rest (MSG_WAITALL)
            message["partial"] = True
        lane = self.lane()
        if compound:
            message["compound"] = True
            self.send(message, lane)
        elif self.free:
            lane.unsent_call = message  # sent with its outcome, as one message
        else:
            self.send(message, lane)
            self.wait_for_go()
        timed_out = trying = False
        waited = False
        while True:
            try:
                value = attempt(timed_out)
            except BlockingIOError as exc:
                if timeout == 0.0:
                    self._report_raise(sock, exc)
                    self._give_way("it polled a socket that had nothing for it", polled=True)
                    raise
                if trying:  # told to go on if it could: it could not
                    self.send({"t": wire.READY, "ready": False})
                else:
                    block: dict[str, Any] = {"t": wire.BLOCK, "timeout": timeout}
                    if self._others_running():
                        block["busy"] = True
                    if keyboard:  # it waits for the keyboard too (a person may type)
                        block["keyboard"] = True
                    self.send(block)
                try:
                    answer = self._serve(ready, can_try)
                except KeyboardInterrupt as interrupt:  # the blocked call raises it
                    self._report_raise(sock, interrupt)
                    raise
                timed_out, trying = answer == wire.TIMEOUT, answer == wire.TRY
                waited = True
                continue
            except Stopped:
                raise
            except BaseException as exc:
                self._report_raise(sock, exc)
                raise
            self._report_return(op, sock, value, data, result, extra)
            polls = readiness is not None and self._polls(lane, readiness(value))
            if waited:
                lane.unwaited, lane.quiet = 0, True
            elif polls:
                self._give_way(f"{op}() found nothing new ready, at once", polled=True)
            else:
                lane.unwaited += 1
                if lane.unwaited >= _CALLS_BEFORE_GIVING_WAY:
                    # Many calls that changed nothing and found nothing to read: polling too.
                    why = f"it made {lane.unwaited} calls without waiting"
                    self._give_way(why, polled=lane.quiet)
            # (Sets, not the table's entries: this runs on every call.)
            did_work = op not in calls.RETURN_ERRORS or value == 0
            if readiness is None and op not in calls.INERT and did_work:
                lane.changed_since_wait = True
                lane.quiet = False
            return value

    @staticmethod
    def _polls(lane: Lane, found: Readiness) -> bool:
        """Whether a wait for readiness that found ``found`` is polling: nothing readable, and
        nothing writable but what its waits found since it last changed anything."""
        readable, writable = found
        if readable is None:  # work of the caller's own: neither polling nor progress
            return False
        if readable:
            lane.quiet = False
        unchanged = writable <= lane.writable_seen and not lane.changed_since_wait
        # Waits that take turns over several sockets ({c1}, then {c2}) find nothing new either.
        seen = frozenset() if lane.changed_since_wait else lane.writable_seen
        lane.writable_seen, lane.changed_since_wait = seen | writable, False
        return not readable and unchanged

    def _give_way(self, why: str, *, polled: bool = False) -> None:
        """Let the other actors run: an actor that never waits would have the lab to itself.

        Real processes run side by side; here one runs at a time, so an actor that polls
        (a non-blocking call that finds nothing, a wait that finds nothing new: see ``_polls``)
        or runs long without waiting yields. The conductor lets whoever can run go first.
        """
        lane = self.lane()
        lane.unwaited, lane.quiet = 0, True
        self.send({"t": wire.YIELD, "why": why, "polled": polled}, lane)
        self._serve(_always)

    def _report_return(
        self,
        op: str,
        sock: TracedSocket | None,
        value: Any,
        data: Callable[[Any], Any] | None,
        result: Callable[[Any], Any] | None,
        extra: Callable[[], dict[str, Any]] | None,
    ) -> None:
        message: dict[str, Any] = {"t": wire.RETURN}
        if extra is not None:
            message["extra"] = extra()
        shown = result(value) if result is not None else _jsonable(value)
        if shown is not None:
            message["result"] = shown
        if sock is not None:
            message["sock"] = sock._nl_info
        if isinstance(value, tuple) and value and isinstance(value[0], TracedSocket):
            if value[0] is not sock:  # accept (a selector's key names the socket it holds)
                message["new_sock"] = value[0]._nl_info
        elif isinstance(value, TracedSocket) and value is not sock:
            message["sock"] = value._nl_info  # socket(), create_connection(), create_server()
        payload = data(value) if data is not None else None
        if payload is not None:
            message["data"] = bytes(payload[:PREVIEW_LIMIT])
            message["data_len"] = len(payload)
            if sock is not None and sock._nl_stream:
                # A running checksum of the stream each way: the analysis checks with it that
                # the receiver read the very bytes the sender sent, in order.
                outgoing = op in calls.SENDS
                message.setdefault("extra", {})["crc"] = sock._nl_checksum(outgoing, payload)
        self._send_outcome(message)

    def _send_outcome(self, message: dict[str, Any]) -> None:
        lane = self.lane()
        call, lane.unsent_call = lane.unsent_call, None
        message = message if call is None else {"t": wire.STEP, "call": call, "outcome": message}
        self.send(message, lane)

    def _report_raise(self, sock: TracedSocket | None, exc: BaseException) -> None:
        message: dict[str, Any] = {"t": wire.RAISE, "error": error_text(exc)}
        number = getattr(exc, "errno", None)
        if isinstance(number, int):
            message["errno"] = errno_module.errorcode.get(number, str(number))
        if sock is not None:
            message["sock"] = sock._nl_info
        self._send_outcome(message)


def error_text(exc: BaseException) -> str:
    """``ConnectionResetError: [Errno 104] ...``; the class alone when there is no message."""
    message = str(exc)
    return cut(f"{type(exc).__name__}: {message}" if message else type(exc).__name__)


def skip_frames_of(*files: str) -> None:
    """The lines of these files are not where a call comes from: the first frame outside them
    (and the shim's) is."""
    _SKIP_FILES.update(files)


def _caller() -> list[Any] | None:
    frame: FrameType | None = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename in _SKIP_FILES:
        frame = frame.f_back
    if frame is None:
        return None
    return [frame.f_code.co_filename, frame.f_lineno]


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [_jsonable(item) for item in value]
    if isinstance(value, TracedSocket):
        return value._nl_id
    if isinstance(value, (bytes, bytearray, memoryview)):
        return None  # shown through the data preview
    return repr(value)


@functools.lru_cache(maxsize=256)
def _name(value: int, prefix: str) -> Any:
    """The constant's name (``AF_INET``) for a number, so that recordings are portable."""
    for key, candidate in vars(socket).items():
        # SO_VM_* (VSOCK) share numbers with the common SOL_SOCKET options: never them.
        matches = key.startswith(prefix) and candidate == value and isinstance(candidate, int)
        if matches and not key.startswith("SO_VM_"):
            return key
    return int(value) if isinstance(value, int) else value


_LEVEL_PREFIX = {socket.SOL_SOCKET: "SO_", socket.IPPROTO_TCP: "TCP_", socket.IPPROTO_IP: "IP_"}


def _sockopt_args(level: int, option: int, value: Any) -> list[Any]:
    level_name = _name(level, "SOL_") if level == socket.SOL_SOCKET else _name(level, "IPPROTO_")
    shown = value if isinstance(value, int) else repr(value)
    return [level_name, _name(option, _LEVEL_PREFIX.get(level, "SO_")), shown]


def _tcp_default_buffers() -> tuple[int, int] | None:
    """The kernel's default send and receive buffer sizes of a TCP socket (the middle values
    of tcp_wmem and tcp_rmem), or None where they cannot be read."""
    try:
        send = int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[1])
        receive = int(Path("/proc/sys/net/ipv4/tcp_rmem").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return send, receive


_TCP_BUFFERS = _tcp_default_buffers()


def _fix_buffers(sock: TracedSocket) -> None:
    """Keep a TCP socket's buffers at the kernel's default sizes. Left to itself the kernel
    grows them as it measures the connection (autotuning), and how far depends on timing: how
    much a send can put in before it waits, and so the steps of a large transfer, would differ
    from run to run. The sizes a program reads back are those it would read by hand (the
    kernel doubles what it is given); a program that sets them itself has its own way."""
    if _TCP_BUFFERS is None:
        return
    send, receive = _TCP_BUFFERS
    with contextlib.suppress(OSError):
        _RealSocket.setsockopt(sock, socket.SOL_SOCKET, socket.SO_SNDBUF, send // 2)
        _RealSocket.setsockopt(sock, socket.SOL_SOCKET, socket.SO_RCVBUF, receive // 2)


def _option_value(value: Any) -> Any:
    """An option's value as an event carries it: a number, or the bytes as Python shows them."""
    return value if isinstance(value, int) else repr(value)


def _readable(fd: int) -> Callable[[float], bool]:
    return lambda wait: bool(_real_select([fd], [], [], wait)[0])


def _writable(fd: int) -> Callable[[float], bool]:
    return lambda wait: bool(_real_select([], [fd], [], wait)[1])


def _never(wait: float) -> bool:
    return False


def _always(wait: float) -> bool:
    return True


def _check_timeout(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    if value < 0:
        raise ValueError("Timeout value out of range")
    return value


def _timed_out() -> TimeoutError:
    return TimeoutError("timed out")


class TracedSocket(_RealSocket):
    """``socket.socket`` with every call traced and sequenced by the conductor."""

    __slots__ = ("_nl_crc", "_nl_id", "_nl_info", "_nl_stream", "_nl_timeout")
    _closed: bool  # socket.socket's own slot

    def __init__(
        self, family: int = -1, type: int = -1, proto: int = -1, fileno: int | None = None
    ) -> None:
        tracer = _TRACER
        if fileno is not None or tracer is None or not tracer.tracing():
            _RealSocket.__init__(self, family, type, proto, fileno)
            self._nl_setup()
            return

        def attempt(timed_out: bool) -> TracedSocket:
            _RealSocket.__init__(self, family, type, proto, fileno)
            self._nl_setup()
            if self._nl_stream and self.family in (socket.AF_INET, socket.AF_INET6):
                _fix_buffers(self)  # an accepted socket inherits its listener's
            return self

        args = [_name(family, "AF_") if family != -1 else "AF_INET"]
        args.append(_name(type, "SOCK_") if type != -1 else "SOCK_STREAM")
        if proto not in (-1, 0):
            args.append(proto)
        tracer.call("socket", args, None, attempt)

    def _nl_setup(self) -> None:
        tracer = _TRACER
        self._nl_id = tracer.new_socket_id() if tracer is not None else f"pid{os.getpid()}"
        self._nl_timeout = socket.getdefaulttimeout()
        _RealSocket.settimeout(self, 0.0)  # the real descriptor never blocks the actor
        self._nl_info: dict[str, Any] = {}
        self._nl_crc = [0, 0]  # checksums of what was received and sent
        # ``self.type`` makes an enum member on every use: too slow for every send.
        self._nl_stream = self.type == socket.SOCK_STREAM
        self._nl_refresh()
        if tracer is not None:
            tracer.sockets[self._nl_id] = self

    def __repr__(self) -> str:
        # repr() asks for the addresses (even for a ResourceWarning that nobody sees): untraced.
        tracer = _TRACER
        active = tracer is not None and tracer.active
        if tracer is not None:
            tracer.active = False
        try:
            return _RealSocket.__repr__(self)
        finally:
            if tracer is not None:
                tracer.active = active

    def _nl_checksum(self, outgoing: bool, data: Any) -> int:
        self._nl_crc[outgoing] = zlib.crc32(data, self._nl_crc[outgoing])
        return self._nl_crc[outgoing]

    def _nl_refresh(self) -> None:
        """Update the snapshot of this socket sent with every event."""
        fd = _RealSocket.fileno(self)
        local = peer = None
        if fd != -1:
            with contextlib.suppress(OSError):
                local = _jsonable(_RealSocket.getsockname(self))
            with contextlib.suppress(OSError):
                peer = _jsonable(_RealSocket.getpeername(self))
        self._nl_info = {
            "id": self._nl_id,
            "fd": fd,
            "family": _name(self.family, "AF_"),
            "type": _name(self.type, "SOCK_"),
            "local": local,
            "peer": peer,
        }

    def _nl_see_peer(self) -> None:
        """A stream socket connected without netlab seeing the connection finish (a
        non-blocking connect, asyncio's) gets its peer now: its data takes the link's path."""
        if self._nl_stream and self._nl_info["peer"] is None and self._nl_info["fd"] != -1:
            self._nl_refresh()

    def _nl_call(self, op: str, args: list[Any], attempt: Callable[[bool], T], **kw: Any) -> T:
        tracer = _TRACER
        if tracer is None or not tracer.tracing():
            return _untraced(attempt, self._nl_timeout, kw.get("ready"))
        value: T = tracer.call(op, args, self, attempt, **kw)
        return value

    def _nl_blocking_call(
        self,
        op: str,
        args: list[Any],
        attempt: Callable[[bool], T],
        can_try: bool | None = None,
        **kw: Any,
    ) -> T:
        self._nl_see_peer()
        fd = _RealSocket.fileno(self)
        reads = op in calls.READS
        ready = _readable(fd) if reads else _writable(fd)
        # A read that cannot go on has done nothing, so it may simply be tried (see _serve); a
        # write may have sent part of its bytes, which the conductor must hear about.
        can_try = reads if can_try is None else can_try
        return self._nl_call(
            op, args, attempt, ready=ready, can_try=can_try, **{"timeout": self._nl_timeout, **kw}
        )

    # -- the user's view of blocking --------------------------------------------------------

    def gettimeout(self) -> float | None:
        return self._nl_timeout

    def getblocking(self) -> bool:
        return self._nl_timeout != 0.0

    def settimeout(self, value: float | None) -> None:
        def attempt(timed_out: bool) -> None:
            self._nl_timeout = _check_timeout(value)

        self._nl_call("settimeout", [value], attempt)

    def setblocking(self, flag: bool) -> None:
        def attempt(timed_out: bool) -> None:
            self._nl_timeout = None if flag else 0.0

        self._nl_call("setblocking", [bool(flag)], attempt)

    # -- calls that cannot block ------------------------------------------------------------

    def bind(self, address: Any) -> None:
        def attempt(timed_out: bool) -> None:
            tracer = _TRACER
            if tracer is not None and not tracer.outside and not _on_loopback(self, address):
                raise PermissionError(errno_module.EACCES, _OFF_LOOPBACK.format(address))
            _RealSocket.bind(self, address)
            self._nl_refresh()

        self._nl_call("bind", [_jsonable(address)], attempt)

    def listen(self, *backlog: int) -> None:
        def attempt(timed_out: bool) -> None:
            tracer = _TRACER
            inet = self.family in (socket.AF_INET, socket.AF_INET6)
            if tracer is not None and not tracer.outside and inet:
                try:
                    unbound = _RealSocket.getsockname(self)[1] == 0  # then every address
                except OSError:
                    unbound = False  # listen() says what is wrong
                if unbound:
                    raise PermissionError(errno_module.EACCES, _UNBOUND_LISTEN)
            _RealSocket.listen(self, *backlog)

        self._nl_call("listen", list(backlog), attempt)

    def setsockopt(self, level: int, option: int, value: Any, *optlen: int) -> None:
        def attempt(timed_out: bool) -> None:
            _RealSocket.setsockopt(self, level, option, value, *optlen)

        self._nl_call("setsockopt", _sockopt_args(level, option, value), attempt)

    def getsockopt(self, level: int, option: int, *buflen: int) -> Any:
        self._nl_see_peer()  # connected since the last call (a non-blocking connect)?

        def attempt(timed_out: bool) -> Any:
            return _RealSocket.getsockopt(self, level, option, *buflen)

        args = _sockopt_args(level, option, None)[:2]
        return self._nl_call("getsockopt", args, attempt, result=_option_value)

    def getsockname(self) -> Any:
        self._nl_see_peer()
        return self._nl_call("getsockname", [], lambda t: _RealSocket.getsockname(self))

    def getpeername(self) -> Any:
        self._nl_see_peer()
        return self._nl_call("getpeername", [], lambda t: _RealSocket.getpeername(self))

    def shutdown(self, how: int) -> None:
        if self._nl_deferred() and how != socket.SHUT_RD:
            # The data still on the link must reach the peer before the FIN: SHUT_WR waits.

            def deferred(timed_out: bool) -> None:
                if how == socket.SHUT_RDWR:
                    _RealSocket.shutdown(self, socket.SHUT_RD)

            extra = {"deferred": "shutdown", "how": socket.SHUT_WR}
            self._nl_call("shutdown", [_name(how, "SHUT_")], deferred, extra=lambda: extra)
            return

        def attempt(timed_out: bool) -> None:
            _RealSocket.shutdown(self, how)

        self._nl_call("shutdown", [_name(how, "SHUT_")], attempt)

    def close(self) -> None:
        if self._closed:  # closing twice is allowed and does nothing
            return
        counters = self._nl_counters()
        if self._nl_deferred():
            # Closed for the actor; the real close follows the data still on the link.

            def deferred(timed_out: bool) -> None:
                self._closed = True

            self._nl_call("close", [], deferred, extra=lambda: {"deferred": "close", **counters})
            return

        def attempt(timed_out: bool) -> None:
            _RealSocket.close(self)

        self._nl_call("close", [], attempt, extra=lambda: counters)
        self._nl_info = {**self._nl_info, "fd": -1}  # after the event, which shows the fd closed

    def _nl_counters(self) -> dict[str, Any]:
        """What the kernel counted for this socket, read as the actor lets go of it."""
        if self.type != socket.SOCK_DGRAM:
            return {}
        drops = udp_drops(_RealSocket.fileno(self))
        return {} if drops is None else {"kernel_drops": drops}

    def _nl_deferred(self) -> bool:
        """Whether this socket has sent over the modelled link (so closing it must wait)."""
        tracer = _TRACER
        return tracer is not None and tracer.outbox is not None and tracer.outbox.is_modelled(self)

    def _nl_link(self, address: Any) -> Outbox | None:
        """The outbox, if a send on this socket goes over the modelled link."""
        tracer = _TRACER
        if tracer is None or tracer.outbox is None or not tracer.tracing():
            return None
        if self.family not in (socket.AF_INET, socket.AF_INET6):
            return None
        if self.type == socket.SOCK_STREAM:
            self._nl_see_peer()
            return tracer.outbox if self._nl_info["peer"] is not None else None
        if self.type == socket.SOCK_DGRAM:
            return tracer.outbox if address is not None else None
        return None

    def _nl_hold(self, op: str, args: list[Any], view: memoryview, address: Any) -> int | None:
        """A send over the modelled link: held for the conductor's link to deliver."""
        assert _TRACER is not None and _TRACER.outbox is not None  # see _nl_link
        outbox = _TRACER.outbox
        tx = 0

        def attempt(timed_out: bool) -> int | None:
            nonlocal tx
            if address is not None:
                limit = 65507 if self.family == socket.AF_INET else 65527
                if len(view) > limit:  # the kernel's own check, made before the link
                    raise OSError(errno_module.EMSGSIZE, os.strerror(errno_module.EMSGSIZE))
                local = self._nl_info["local"]
                if not local or local[1] == 0:  # bind as the kernel does on a first send
                    _RealSocket.bind(self, ("::" if self.family == socket.AF_INET6 else "", 0))
                    self._nl_refresh()
            tx = outbox.hold(self, bytes(view), address)
            return None if calls.call(op).returns == calls.NOTHING else len(view)

        def extra() -> dict[str, Any]:
            transport = "udp" if address is not None else "tcp"
            return {"tx": tx, "transport": transport, "size": len(view), "to": _jsonable(address)}

        return self._nl_call(op, args, attempt, data=lambda _: view, extra=extra, preview=view)

    def detach(self) -> int:
        fd = _RealSocket.detach(self)
        self._nl_info = {**self._nl_info, "fd": -1}
        return fd

    # -- calls that may block ---------------------------------------------------------------

    def accept(self) -> tuple[TracedSocket, Any]:
        def attempt(timed_out: bool) -> tuple[TracedSocket, Any]:
            if timed_out:
                raise _timed_out()
            fd, address = self._accept()  # type: ignore[attr-defined]  # CPython's own
            conn = TracedSocket(self.family, self.type, self.proto, fileno=fd)
            return conn, address

        return self._nl_blocking_call("accept", [], attempt)

    def _nl_connect(self, op: str, address: Any) -> int:
        started = False

        def attempt(timed_out: bool) -> int:
            nonlocal started
            if timed_out:
                raise _timed_out()
            if not started:
                started = True
                code = _RealSocket.connect_ex(self, address)
                # On loopback the handshake is done within the call: a blocking socket looks
                # before it blocks; a non-blocking one gets EINPROGRESS, as from the kernel.
                blocking = self._nl_timeout != 0.0
                if code == errno_module.EINPROGRESS and blocking and _writable(self.fileno())(0):
                    code = _RealSocket.getsockopt(self, socket.SOL_SOCKET, socket.SO_ERROR)
            else:
                code = _RealSocket.getsockopt(self, socket.SOL_SOCKET, socket.SO_ERROR)
            waiting = code in (errno_module.EINPROGRESS, errno_module.EALREADY)
            if waiting:  # bound now; connected when a wait for writable says so, not sooner
                self._nl_refresh()  # (whether loopback's handshake is done by now is timing)
                self._nl_info = {**self._nl_info, "peer": None}
            if waiting and op == "connect_ex" and self._nl_timeout == 0.0:
                return code  # a non-blocking connect_ex returns the number, it raises nothing
            if waiting:
                raise BlockingIOError(code, os.strerror(code))
            if code and self._nl_timeout is None:
                # A blocking connect that fails leaves the socket unconnected, so the next
                # connect is a new attempt (ECONNREFUSED again). The real descriptor is
                # non-blocking, as Python's is for a socket with a timeout: it stays
                # "connecting" (its next connect says ECONNABORTED, by hand too) until connect
                # is called once more, which is what resets it.
                _RealSocket.connect_ex(self, address)
            self._nl_refresh()
            if code and op == "connect":
                raise OSError(code, os.strerror(code))
            return code

        shown = (lambda code: None) if calls.call(op).returns == calls.NOTHING else None
        return self._nl_blocking_call(op, [_jsonable(address)], attempt, result=shown)

    def connect(self, address: Any) -> None:
        self._nl_connect("connect", address)

    def connect_ex(self, address: Any) -> int:
        try:
            return self._nl_connect("connect_ex", address)
        except BlockingIOError as exc:  # a non-blocking socket: connect_ex returns the code
            return exc.errno or 0

    def send(self, data: Any, flags: int = 0) -> int:
        return self._nl_send("send", memoryview(data).cast("B"), flags)

    def _nl_send(self, op: str, view: memoryview, flags: int) -> int:
        peer = None if self._nl_stream else self._nl_info["peer"]
        if self._nl_link(peer) is not None:
            return self._nl_hold(op, _data_args(view, flags), view, _address(peer)) or 0
        progress = _Progress()

        def attempt(timed_out: bool) -> int:
            if timed_out:
                raise _timed_out()
            if _timeout(self, flags) is not None:  # non-blocking, or a timeout: one send
                return _RealSocket.send(self, view, flags)
            # Blocking: the kernel waits for room until every byte is in (or an error comes).
            return _send_rest(self, view, flags, progress, keep_partial=True)

        return self._nl_blocking_call(
            op,
            _data_args(view, flags),
            attempt,
            data=lambda n: view[:n],
            preview=view,
            timeout=_timeout(self, flags),
        )

    def sendall(self, data: Any, flags: int = 0) -> None:
        view = memoryview(data).cast("B")
        peer = None if self._nl_stream else self._nl_info["peer"]
        if self._nl_link(peer) is not None:
            self._nl_hold("sendall", _data_args(view, flags), view, _address(peer))
            return None
        progress = _Progress()

        def attempt(timed_out: bool) -> None:
            if timed_out:
                raise _timed_out()
            _send_rest(self, view, flags, progress)

        return self._nl_blocking_call(
            "sendall",
            _data_args(view, flags),
            attempt,
            data=lambda _: view,
            preview=view,
            timeout=_timeout(self, flags),
        )

    def sendfile(self, file: Any, offset: int = 0, count: int | None = None) -> int:
        """A file's bytes sent as ``sendall`` sends them, and the file left after them."""
        self._check_sendfile_params(file, offset, count)  # type: ignore[attr-defined]
        view = memoryview(_file_bytes(file, offset, count)).cast("B")
        if self._nl_timeout == 0.0 and not _empty_file(file):
            # As Python's own, which returns 0 for an empty file before it looks at the socket.
            raise ValueError("non-blocking sockets are not supported")
        args = [_file_label(file), offset, count]
        progress = _Progress()

        def attempt(timed_out: bool) -> int:
            if timed_out:
                raise _timed_out()
            return _send_rest(self, view, 0, progress)

        try:
            if self._nl_link(None) is not None:
                progress.sent = self._nl_hold("sendfile", args, view, None) or 0
            else:
                self._nl_blocking_call(
                    "sendfile", args, attempt, data=lambda n: view[:n], preview=view
                )
        finally:  # as Python's own: the file is left after what was sent
            if progress.sent:
                file.seek(offset + progress.sent)
        return progress.sent

    def sendto(self, data: Any, *rest: Any) -> int:
        flags, address = (0, rest[0]) if len(rest) == 1 else rest
        return self._nl_sendto("sendto", memoryview(data).cast("B"), flags, address)

    def _nl_sendto(self, op: str, view: memoryview, flags: int, address: Any) -> int:
        if op == "sendmsg":
            args = _message_args(view, flags, address)
        else:
            args = [*_data_args(view, flags), _jsonable(address)]
        if self._nl_link(address) is not None:
            return self._nl_hold(op, args, view, address) or 0

        def attempt(timed_out: bool) -> int:
            if timed_out:
                raise _timed_out()
            count = _RealSocket.sendto(self, view, flags, address)
            local = self._nl_info["local"]
            if not local or local[1] == 0:
                self._nl_refresh()  # the kernel bound the socket on its first send
            return count

        return self._nl_blocking_call(
            op,
            args,
            attempt,
            data=lambda n: view[:n],
            preview=view,
            timeout=_timeout(self, flags),
        )

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        if self._nl_waits_for_all(flags):
            buffer = bytearray(bufsize)
            args = [bufsize, _flags(flags)]
            count = self._nl_recv_all("recv", args, memoryview(buffer), flags)
            return bytes(buffer[:count])

        def attempt(timed_out: bool) -> bytes:
            if timed_out:
                raise _timed_out()
            return _RealSocket.recv(self, bufsize, flags)

        args = [bufsize, _flags(flags)] if flags else [bufsize]
        return self._nl_blocking_call(
            "recv", args, attempt, data=_same_bytes, timeout=_timeout(self, flags)
        )

    def _nl_waits_for_all(self, flags: int) -> bool:
        """MSG_WAITALL on a blocking stream socket: the kernel waits for every byte asked for
        (or the end, or an error). The real descriptor never blocks, so the shim does the
        waiting. (With a timeout Python's own socket returns what has come, as here.)"""
        return bool(flags & socket.MSG_WAITALL) and self._nl_stream and self._nl_timeout is None

    def _nl_recv_all(self, op: str, args: list[Any], view: memoryview, flags: int) -> int:
        """Fill ``view`` (MSG_WAITALL, see _nl_waits_for_all); the count of bytes read."""
        got = 0
        flags &= ~socket.MSG_WAITALL

        def attempt(timed_out: bool) -> int:
            nonlocal got
            while got < len(view):
                try:
                    count = _RealSocket.recv_into(self, view[got:], 0, flags)
                except BlockingIOError:
                    raise  # it waits for the rest
                except OSError:
                    if got:  # as the kernel does: the bytes that came, the error next time
                        break
                    raise
                if count == 0:  # the end of the stream: what came is all there is
                    break
                got += count
            return got

        # Never tried blindly (see _nl_blocking_call): a read that took part of its bytes and
        # then waits has changed the socket, which the conductor must hear about.
        return self._nl_blocking_call(
            op, args, attempt, data=lambda n: view[:n], can_try=False, partial=True
        )

    def recvfrom(self, bufsize: int, flags: int = 0) -> tuple[bytes, Any]:
        def attempt(timed_out: bool) -> tuple[bytes, Any]:
            if timed_out:
                raise _timed_out()
            return _RealSocket.recvfrom(self, bufsize, flags)

        args = [bufsize, _flags(flags)] if flags else [bufsize]
        return self._nl_blocking_call(
            "recvfrom",
            args,
            attempt,
            data=lambda value: value[0],
            result=lambda value: _jsonable(value[1]),
            timeout=_timeout(self, flags),
        )

    def recvmsg(
        self, bufsize: int, ancbufsize: int = 0, flags: int = 0
    ) -> tuple[bytes, list[Any], int, Any]:
        got: dict[str, Any] = {}

        def attempt(timed_out: bool) -> tuple[bytes, list[Any], int, Any]:
            if timed_out:
                raise _timed_out()
            message = _RealSocket.recvmsg(self, bufsize, ancbufsize, flags)
            got.update(msg_flags=_msg_flags(message[2]), ancillary=len(message[1]))
            return message

        args = [bufsize, *([ancbufsize] if ancbufsize or flags else [])]
        return self._nl_blocking_call(
            "recvmsg",
            [*args, _flags(flags)] if flags else args,
            attempt,
            data=lambda value: value[0],
            result=lambda value: _jsonable(value[3]),
            extra=lambda: dict(got),
            timeout=_timeout(self, flags),
        )

    def sendmsg(self, buffers: Any, ancdata: Any = (), flags: int = 0, address: Any = None) -> int:
        """One message of the buffers' bytes, sent as send() or sendto() sends them; with
        ancillary data, the real sendmsg in one attempt (netlab's link model carries bytes
        only, so not over a modelled link)."""
        view = memoryview(b"".join(memoryview(b).cast("B") for b in buffers)).cast("B")
        if not ancdata:
            if address is not None:
                return self._nl_sendto("sendmsg", view, flags, address)
            return self._nl_send("sendmsg", view, flags)
        peer = address if address is not None else self._nl_info["peer"]
        modelled = self._nl_link(None if self._nl_stream else _address(peer)) is not None
        target = () if address is None else (address,)

        def attempt(timed_out: bool) -> int:
            if timed_out:
                raise _timed_out()
            if modelled:
                raise OSError(
                    errno_module.EOPNOTSUPP,
                    "netlab's modelled link carries no ancillary data: run this lab on the "
                    "perfect link (--link perfect)",
                )
            return _RealSocket.sendmsg(self, [view], ancdata, flags, *target)

        args = _message_args(view, flags, address) if target else _data_args(view, flags)
        return self._nl_blocking_call(
            "sendmsg",
            args,
            attempt,
            data=lambda n: view[:n],
            preview=view,
            timeout=_timeout(self, flags),
        )

    def recvfrom_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> tuple[int, Any]:
        view = memoryview(buffer).cast("B")

        def attempt(timed_out: bool) -> tuple[int, Any]:
            if timed_out:
                raise _timed_out()
            return _RealSocket.recvfrom_into(self, view, nbytes, flags)

        args = [nbytes or len(view), _flags(flags)] if flags else [nbytes or len(view)]
        return self._nl_blocking_call(
            "recvfrom_into",
            args,
            attempt,
            data=lambda value: view[: value[0]],
            result=lambda value: _jsonable(value[1]),
            timeout=_timeout(self, flags),
        )

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        view = memoryview(buffer).cast("B")
        if self._nl_waits_for_all(flags):
            wanted = view[: nbytes or len(view)]
            return self._nl_recv_all("recv_into", [len(wanted), _flags(flags)], wanted, flags)

        def attempt(timed_out: bool) -> int:
            if timed_out:
                raise _timed_out()
            return _RealSocket.recv_into(self, view, nbytes, flags)

        args = [nbytes or len(view), _flags(flags)] if flags else [nbytes or len(view)]
        return self._nl_blocking_call(
            "recv_into", args, attempt, data=lambda n: view[:n], timeout=_timeout(self, flags)
        )


def _address(raw: Any) -> Any:
    """An address from a socket snapshot (a JSON list) as Python wants it (a tuple)."""
    return tuple(raw) if isinstance(raw, list) else raw


def _timeout(sock: TracedSocket, flags: int) -> float | None:
    """How long a call may wait: MSG_DONTWAIT makes it non-blocking, whatever the socket's."""
    return 0.0 if flags & socket.MSG_DONTWAIT else sock._nl_timeout


class _Progress:
    """How far a call that may block midway has got."""

    sent = 0


def _send_rest(
    sock: TracedSocket,
    view: memoryview,
    flags: int,
    progress: _Progress,
    keep_partial: bool = False,
) -> int:
    """Send what is left of ``view`` (``BlockingIOError`` when the kernel's buffer is full: the
    call waits, then goes on from where it was). An error after some bytes is raised, or with
    ``keep_partial`` the count sent is returned, as a blocking send() does."""
    while True:  # at least once, as Python's sendall: an empty datagram is sent too
        try:
            progress.sent += _RealSocket.send(sock, view[progress.sent :], flags)
        except BlockingIOError:
            raise
        except OSError:
            if keep_partial and progress.sent:
                break
            raise
        if progress.sent >= len(view) or not sock._nl_stream:  # a datagram goes whole
            break
    return progress.sent


def _file_bytes(file: Any, offset: int, count: int | None) -> bytes:
    """What ``sendfile`` sends: as the kernel reads the file, from its descriptor (what Python
    still holds in the file's buffer is not there yet); a file without one is read as Python
    reads it when it falls back to send()."""
    try:
        fileno = file.fileno()
    except (AttributeError, io.UnsupportedOperation):
        file.seek(offset)
        return bytes(file.read(count) if count else file.read())
    size = os.fstat(fileno).st_size
    wanted = max(0, min(count or size, size - offset))
    return os.pread(fileno, wanted, offset) if wanted else b""


def _empty_file(file: Any) -> bool:
    """A file with a descriptor and nothing in it (sendfile's first question)."""
    try:
        return os.fstat(file.fileno()).st_size == 0
    except (AttributeError, io.UnsupportedOperation, OSError):
        return False


def _file_label(file: Any) -> Any:
    """A file as a call's argument: its descriptor, as the system call names it."""
    try:
        return int(file.fileno())
    except (AttributeError, OSError, ValueError):
        return "<file>"


def _same_bytes(value: bytes) -> bytes:
    return value


def _flags(flags: int) -> Any:
    """MSG_* flags by name where there is one (a plain int: they travel marshalled)."""
    return _name(int(flags), "MSG_")


def _msg_flags(flags: int) -> Any:
    """A message's flags by name (``MSG_TRUNC``, ``MSG_TRUNC|MSG_CTRUNC``), else the number."""
    named = [
        name
        for name in ("MSG_OOB", "MSG_CTRUNC", "MSG_TRUNC", "MSG_EOR", "MSG_ERRQUEUE")
        if flags & getattr(socket, name, 0)
    ]
    rest = flags & ~sum(getattr(socket, name) for name in named)
    return "|".join([*named, *([str(rest)] if rest else [])]) if named else flags


def _message_args(view: memoryview, flags: int, address: Any) -> list[Any]:
    """sendmsg's arguments with an address: (data, flags, address), as the call takes them,
    so that the address is always the third (calls.destination, strace's msg_name)."""
    return [f"<{view.nbytes} bytes>", _flags(flags), _jsonable(address)]


def _data_args(view: memoryview, flags: int) -> list[Any]:
    args: list[Any] = [f"<{view.nbytes} bytes>"]
    if flags:
        args.append(_flags(flags))
    return args


def _untraced(attempt: Callable[[bool], T], timeout: float | None, ready: Any) -> T:
    """Perform a call outside tracing (while the scenario loads, or from another thread)."""
    deadline = None if timeout is None else _real_monotonic() + timeout
    while True:
        try:
            return attempt(False)
        except BlockingIOError:
            if timeout == 0.0 or ready is None:
                raise
            remaining = 1.0 if deadline is None else deadline - _real_monotonic()
            if remaining <= 0:
                return attempt(True)
            ready(min(remaining, 1.0))


# -- module functions ---------------------------------------------------------------------------


def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
    tracer = _TRACER
    if tracer is None or not tracer.tracing():
        return _real_create_connection(address, *args, **kwargs)
    return tracer.call(
        "create_connection",
        [_jsonable(address)],
        None,
        lambda t: _real_create_connection(address, *args, **kwargs),
        compound=True,
    )


def create_server(address: Any, *args: Any, **kwargs: Any) -> Any:
    tracer = _TRACER
    if tracer is None or not tracer.tracing():
        return _real_create_server(address, *args, **kwargs)
    return tracer.call(
        "create_server",
        [_jsonable(address)],
        None,
        lambda t: _real_create_server(address, *args, **kwargs),
        compound=True,
    )


_OFF_LOOPBACK = (
    "netlab keeps a lab on loopback: binding {!r} would let other machines connect. Bind "
    "'127.0.0.1' (or '::1'), or start the lab with --outside to let them"
)


_UNBOUND_LISTEN = (
    "netlab keeps a lab on loopback: listen() before bind() would take a port on every "
    "address of this machine. Bind '127.0.0.1' first, or start the lab with --outside"
)


def _on_loopback(sock: socket.socket, address: Any) -> bool:
    """Whether binding ``address`` keeps the socket to this machine (a Unix socket does)."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return True
    host = str(address[0]) if isinstance(address, tuple) and address else ""
    try:
        ip = ipaddress.ip_address(host.partition("%")[0])
        mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1 is loopback too
        return bool(ip.is_loopback or (mapped is not None and mapped.is_loopback))
    except ValueError:  # a name (or "", every address): loopback if all it names is
        if not host:
            return False
        try:
            found = socket.getaddrinfo(host, None, sock.family)
        except OSError:
            return True  # the bind itself says what is wrong with it
        return all(ipaddress.ip_address(str(info[4][0])).is_loopback for info in found)


def virtual_monotonic() -> float:
    """A monotonic clock on the virtual one (asyncio's loop time: see virtual_time), in the
    actor's main thread while it is traced; elsewhere the real one. It moves only when the
    conductor's clock does: between two waits, no time passes."""
    tracer = _TRACER
    if tracer is None or not tracer.tracing():
        return _real_monotonic()
    return _MONOTONIC_START + tracer.now


_MONOTONIC_START = _real_monotonic()

# The clocks a program reads to measure time: real time, plus the virtual clock's jumps (all of
# its time: it moves only by jumping while every actor waits). A wait of 2 s on the virtual
# clock measures 2 s, as by hand; a loop that computes until a deadline still sees time pass.
_PROGRAM_CLOCKS = ("monotonic", "perf_counter", "time")


def _counting_jumps(real: Callable[[], float]) -> Callable[[], float]:
    def clock() -> float:
        tracer = _TRACER
        return real() + (tracer.now if tracer is not None else 0.0)

    return clock


def _counting_jumps_ns(real: Callable[[], int]) -> Callable[[], int]:
    def clock() -> int:
        tracer = _TRACER
        return real() + (round(tracer.now * 1e9) if tracer is not None else 0)

    return clock


def sleep(seconds: float) -> None:
    """``time.sleep`` on the virtual clock."""
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    tracer = _TRACER
    if tracer is None or not tracer.tracing():
        _real_sleep(seconds)
        return

    def attempt(timed_out: bool) -> None:
        if not timed_out and seconds > 0:
            raise BlockingIOError

    tracer.call("sleep", [seconds], None, attempt, timeout=float(seconds), ready=_never)


def select(rlist: Any, wlist: Any, xlist: Any, timeout: float | None = None) -> Any:
    """``select.select`` with its timeout on the virtual clock."""
    tracer = _TRACER
    if tracer is None or not tracer.tracing():
        return _real_select(rlist, wlist, xlist, timeout)
    rlist, wlist, xlist = list(rlist), list(wlist), list(xlist)
    return _wait_for_ready(
        tracer,
        "select",
        [[_label(f) for f in group] for group in (rlist, wlist, xlist)] + [timeout],
        lambda wait: _real_select(rlist, wlist, xlist, wait),
        timeout,
        shown=lambda value: [[_label(f) for f in group] for group in value],
        readiness=lambda value: (bool(value[0] or value[2]), frozenset(map(_label, value[1]))),
        watched=rlist,
    )


def _wait_for_ready(
    tracer: Tracer,
    op: str,
    args: list[Any],
    check: Callable[[float], Any],
    timeout: float | None,
    *,
    shown: Callable[[Any], Any],
    readiness: Callable[[Any], Readiness],
    watched: Iterable[Any] = (),
) -> Any:
    """A traced call that waits until sockets are ready (select, poll): ``check(wait)`` asks
    the kernel. It is asked without waiting; if nothing is ready the call blocks, and goes on
    when the conductor finds something ready or the virtual ``timeout`` (seconds) passes. If
    ``watched`` (what it waits to read) holds the keyboard, the conductor hears so."""

    def found(value: Any) -> bool:
        readable, writable = readiness(value)
        return readable or bool(writable)

    def attempt(timed_out: bool) -> Any:
        ready = check(0)
        if found(ready) or timed_out or (timeout is not None and timeout <= 0):
            return ready
        raise BlockingIOError

    return tracer.call(
        op,
        args,
        None,
        attempt,
        timeout=None if timeout is None else max(0.0, float(timeout)),
        ready=lambda wait: found(check(wait)),
        result=shown,
        readiness=readiness,
        keyboard=any(isinstance(item, Keyboard) for item in watched),
    )


def _polled_readiness(ready: list[tuple[int, int]]) -> Readiness:
    """What poll() or epoll.poll() found: (descriptor, event mask) pairs."""
    readable = any(mask & ~select_module.POLLOUT for _, mask in ready)
    return readable, frozenset(fd for fd, mask in ready if mask & select_module.POLLOUT)


def _selector_readiness(ready: list[tuple[selectors.SelectorKey, int]]) -> Readiness:
    readable = any(events & selectors.EVENT_READ for _, events in ready)
    writable = (key.fileobj for key, events in ready if events & selectors.EVENT_WRITE)
    return readable, frozenset(map(_label, writable))


def _selector_readiness_with_work(ready: list[tuple[selectors.SelectorKey, int]]) -> Readiness:
    """What a selector found, for a caller that has work of its own (see Readiness)."""
    readable, writable = _selector_readiness(ready)
    return (True if readable else None), writable


class TracedPoll:
    """``select.poll()``: its ``poll`` waits on the virtual clock, like ``select``."""

    def __init__(self) -> None:
        self._inner = _real_poll()

    def register(
        self,
        fd: Any,
        eventmask: int = select_module.POLLIN | select_module.POLLPRI | select_module.POLLOUT,
    ) -> None:
        self._inner.register(fd, eventmask)

    def modify(self, fd: Any, eventmask: int) -> None:
        self._inner.modify(fd, eventmask)

    def unregister(self, fd: Any) -> None:
        self._inner.unregister(fd)

    def poll(self, timeout: float | None = None) -> list[tuple[int, int]]:
        tracer = _TRACER
        if tracer is None or not tracer.tracing():
            return self._inner.poll(timeout)
        seconds = None if timeout is None or timeout < 0 else timeout / 1000  # milliseconds
        return _wait_for_ready(  # type: ignore[no-any-return]
            tracer,
            "poll",
            [timeout],
            lambda wait: self._inner.poll(wait * 1000),
            seconds,
            shown=lambda ready: [list(pair) for pair in ready],
            readiness=_polled_readiness,
        )


class TracedEpoll:
    """``select.epoll()``: its ``poll`` waits on the virtual clock, like ``select``."""

    def __init__(self, sizehint: int = -1, flags: int = 0) -> None:
        assert _real_epoll is not None
        self._inner: select_module.epoll = _real_epoll(sizehint, flags)

    def __getattr__(self, name: str) -> Any:  # register, modify, unregister, close, fileno...
        return getattr(self._inner, name)

    def __enter__(self) -> TracedEpoll:
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.close()

    def poll(self, timeout: float | None = None, maxevents: int = -1) -> list[tuple[int, int]]:
        tracer = _TRACER
        if tracer is None or not tracer.tracing():
            return self._inner.poll(timeout, maxevents)
        seconds = None if timeout is None or timeout < 0 else timeout
        return _wait_for_ready(  # type: ignore[no-any-return]
            tracer,
            "epoll_wait",
            [timeout],
            lambda wait: self._inner.poll(wait, maxevents),
            seconds,
            shown=lambda ready: [list(pair) for pair in ready],
            readiness=_polled_readiness,
        )


def _label(fileobj: Any) -> Any:
    """What a call names a file object by: a lab socket's id; a descriptor as it is; any other
    object by the lab socket whose descriptor it has (socketserver's server), else by its
    descriptor; never a repr, whose memory address differs from run to run."""
    if isinstance(fileobj, TracedSocket):
        return fileobj._nl_id
    if isinstance(fileobj, Keyboard):
        return "stdin"
    if isinstance(fileobj, int):
        return fileobj
    try:
        fd = int(fileobj.fileno())
    except (AttributeError, OSError, ValueError, TypeError):
        return f"<{type(fileobj).__name__}>"
    tracer = _TRACER
    if tracer is not None:
        for sock in list(tracer.sockets.values()):
            if fd != -1 and _RealSocket.fileno(sock) == fd:
                return sock._nl_id
    return fd


_EVENT_NAMES = {selectors.EVENT_READ: "READ", selectors.EVENT_WRITE: "WRITE"}


def _events_name(events: int) -> str:
    return "|".join(name for bit, name in _EVENT_NAMES.items() if events & bit) or str(events)


class TracedSelector(selectors.BaseSelector):
    """``selectors.DefaultSelector`` whose register/modify/unregister/select are traced."""

    def __init__(self) -> None:
        self._inner = _RealSelector()

    def _trace(self, op: str, args: list[Any], perform: Callable[[], T], fileobj: Any) -> T:
        tracer = _TRACER
        if tracer is None or not tracer.tracing():
            return perform()
        sock = fileobj if isinstance(fileobj, TracedSocket) else None
        return tracer.call(op, args, sock, lambda t: perform(), result=lambda key: None)

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._trace(
            "register",
            [_label(fileobj), _events_name(events)],
            lambda: self._inner.register(fileobj, events, data),
            fileobj,
        )

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._trace(
            "modify",
            [_label(fileobj), _events_name(events)],
            lambda: self._inner.modify(fileobj, events, data),
            fileobj,
        )

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._trace(
            "unregister", [_label(fileobj)], lambda: self._inner.unregister(fileobj), fileobj
        )

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        tracer = _TRACER
        if tracer is None or not tracer.tracing():
            return self._inner.select(timeout)

        readiness = _selector_readiness
        if timeout == 0 and sys._getframe(1).f_code.co_filename == virtual_time.asyncio_loop_file():
            # asyncio's loop asks without waiting only when it has callbacks ready to run:
            # that is work to do, not polling.
            readiness = _selector_readiness_with_work
        return _wait_for_ready(  # type: ignore[no-any-return]
            tracer,
            "select",
            [timeout],
            self._inner.select,
            timeout,
            shown=lambda ready: [[_label(k.fileobj), _events_name(ev)] for k, ev in ready],
            readiness=readiness,
            watched=[key.fileobj for key in self._inner.get_map().values()],
        )

    def get_key(self, fileobj: Any) -> selectors.SelectorKey:
        return self._inner.get_key(fileobj)

    def get_map(self) -> Any:
        return self._inner.get_map()

    def close(self) -> None:
        self._inner.close()


def install(tracer: Tracer) -> None:
    """Replace the socket API of this process with the traced one."""
    global _TRACER
    _TRACER = tracer
    socket.socket = TracedSocket  # type: ignore[misc]
    socket.create_connection = create_connection
    socket.create_server = create_server
    # socketserver and others pick a selector by name: every one of them is traced.
    for name in ("DefaultSelector", "PollSelector", "EpollSelector", "SelectSelector"):
        if hasattr(selectors, name):
            setattr(selectors, name, TracedSelector)
    select_module.select = select
    select_module.poll = TracedPoll  # type: ignore[assignment,misc]
    if _real_epoll is not None:
        select_module.epoll = TracedEpoll  # type: ignore[assignment,misc]
    time.sleep = sleep  # type: ignore[assignment]  # its stub takes SupportsIndex too
    for name in _PROGRAM_CLOCKS:
        setattr(time, name, _counting_jumps(getattr(time, name)))
        setattr(time, f"{name}_ns", _counting_jumps_ns(getattr(time, f"{name}_ns")))
    virtual_time.install(virtual_monotonic)
    os.register_at_fork(after_in_parent=tracer.forked_child, after_in_child=tracer.forked)


def close_all(tracer: Tracer, counters: dict[str, dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Close, without tracing, every lab socket the actor left open.

    Returns the ids of the sockets closed and of those whose close must wait for the data still
    on the modelled link (the conductor closes them behind it); fills ``counters`` with what the
    kernel counted for each.
    """
    closed, deferred = [], []
    for sock_id, sock in list(tracer.sockets.items()):
        if _RealSocket.fileno(sock) == -1 or sock._closed:
            continue
        counters[sock_id] = sock._nl_counters()
        if tracer.outbox is not None and tracer.outbox.is_modelled(sock):
            deferred.append(sock_id)
        else:
            _RealSocket.close(sock)
            closed.append(sock_id)
    return closed, deferred

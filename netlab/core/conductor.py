"""The conductor: starts actor processes and sequences their calls (DESIGN §2.2).

Scheduling is cooperative and deterministic. The current actor keeps going until it blocks or
ends; then the next runnable actor goes, in the order actors became runnable (ties broken by
declaration order). A blocked actor becomes runnable when, at a decision point, it finds its
socket ready (it checks without blocking and answers). When nothing can run (or only an actor
that polls), the virtual clock jumps to the next timeout or delivery; when nothing at all can
happen, the run ends with a deadlock report.

Modes: ``step`` grants one step per :meth:`Conductor.step`; ``play`` grants steps at a pace;
``run`` lets the current actor go on without asking (headless runs, tests, exports).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from netlab.core import events as ev
from netlab.core.channel import Channel, ChannelClosed, channel_pair
from netlab.core.collector import collector_paused
from netlab.core.events import Event, SockInfo
from netlab.core.kernel_view import KernelTable
from netlab.core.link import LinkModel, direction_of, resolve_link
from netlab.core.ports import LOOPBACK, free_ports
from netlab.core.scenario import LoadedScenario

STEP, PLAY, RUN = "step", "play", "run"
MODES = (STEP, PLAY, RUN)

# How a run ended: the ``result`` of the END event.
COMPLETED, CRASHED, DEADLOCK, TIMEOUT, STOPPED = (
    "completed",
    "crashed",
    "deadlock",
    "timeout",
    "stopped",
)

# Before calling a deadlock, blocked actors get this long (real seconds) to see their socket
# become ready: loopback delivers synchronously, so this only matters in rare cases.
_DEADLOCK_GRACE = 0.05
# Calls whose success changes nothing another actor could be waiting for. (A call that fails
# changes nothing either.) Any other call may make a blocked actor ready.
_INERT = frozenset(
    {"sleep", "settimeout", "setblocking", "getsockname", "getpeername", "select", "poll"}
    | {"epoll_wait"}
    | {"register", "modify", "unregister"}
)
# Messages an actor may send at any time (from its own threads, too).
_SIDE_MESSAGES = frozenset({"output", "note"})
# Calls that may have done part of their work when they block or fail: a sendall that sent
# some bytes, a connect whose SYN is out.
_PARTIAL = frozenset({"send", "sendall", "sendto", "connect", "connect_ex"})
# How long starting an actor process may take.
_START_TIMEOUT = 10.0
# The kernel's view is recorded at steps taken at least this far apart (see _watch_kernel).
_KERNEL_PACE = 0.05
# How long stopped actor processes get to leave before they are killed.
_EXIT_GRACE = 0.5
# Running freely, the conductor waits for the running actor's next message by asking for it
# again and again this long before it sleeps: an actor answers within microseconds, and waking
# a sleeping process costs tens of them, twice per hand-off. Only with a CPU to spare.
_SPIN = 0.0003 if len(os.sched_getaffinity(0)) >= 2 else 0.0


@dataclass(frozen=True)
class Outcome:
    """How a run ended."""

    kind: str  # COMPLETED, CRASHED, DEADLOCK, TIMEOUT, STOPPED
    message: str


class _Ended(Exception):
    """Raised inside the conductor's loop to end the run with an outcome."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


@dataclass
class _Actor:
    name: str
    order: int
    channel: Channel
    process: subprocess.Popen[bytes] | None = None
    state: str = "starting"  # starting, fresh, running, blocked, ready, done
    blocked_op: str = ""  # the call it is blocked in
    blocked_sock: str = ""
    deadline: float | None = None  # virtual time its blocked call times out
    timed_out: bool = False
    calls: list[dict[str, Any]] = field(default_factory=list)  # under way; compound ones nest
    last_op: str = ""  # the last call it finished
    checked_at: int = -1  # the conductor's change count when it last found itself not ready
    closed: bool = False  # its channel reached its end: the process is gone
    polled: bool = False  # it gave way because it polls (see _next_runnable)
    heard_at: float = 0.0  # when its last message arrived (perf_counter)

    @property
    def last_call(self) -> dict[str, Any]:
        return self.calls[-1] if self.calls else {}


class Conductor:
    """Runs one lab. :meth:`run` blocks until the lab ends; the other public methods may be
    called from any thread while it runs."""

    def __init__(
        self,
        loaded: LoadedScenario,
        *,
        mode: str = RUN,
        seed: int | None = None,
        time_limit: float = 10.0,
        stall_limit: float | None = None,
        pace: float = 0.5,
        on_event: Callable[[Event], None] | None = None,
        args: dict[str, Any] | None = None,
        host: str = LOOPBACK,
        link: Any = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.loaded = loaded
        self.scenario = loaded.scenario
        self.mode = mode
        self.seed = self.scenario.seed if seed is None else seed
        self.time_limit = time_limit  # seconds the whole run may take (not counting the user)
        self.stall_limit = stall_limit  # seconds an actor may run without making a call
        self.pace = pace
        self.host = host
        self.args = {**self.scenario.args, **(args or {})}
        self._scenario_file = str(loaded.path)
        # Refused here, before any actor starts, if its settings are wrong (LinkError).
        self.link = resolve_link(self.scenario.link if link is None else link)
        self._model = LinkModel(self.link, self.seed)
        self._deliveries: list[tuple[float, int, str, dict[str, Any]]] = []  # a heap
        self._stream_bytes: dict[str, int] = {}  # bytes a TCP socket sent over the link so far
        self._last_delivery: dict[str, float] = {}  # when a socket's last data arrives
        self._backlog: dict[str, int] = {}  # bytes an actor could not yet write, by actor
        self._delivery_order = itertools.count()  # ties in the heap go first come, first served
        self._changes = 0  # counts what may have made a blocked actor ready
        self.events: list[Event] = []
        self.outcome: Outcome | None = None
        self.ports: list[int] = []
        self.vtime = 0.0
        self._on_event = on_event
        self._step = 0
        self._actors: list[_Actor] = []
        self._selector = selectors.DefaultSelector()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._selector.register(self._wake_reader, selectors.EVENT_READ, None)
        self._commands: deque[str] = deque()
        self._grants = 0
        self._started = 0.0
        self._limit_at = 0.0
        self._lock = threading.Lock()
        self._record_later: Callable[[], None] | None = None
        self._lab_sockets: dict[str, SockInfo] = {}  # every socket the kernel may still have
        self._kernel_seen: dict[str, list[Any]] | None = None  # None: not watched now

    # -- control from any thread --------------------------------------------------------------

    def step(self) -> None:
        """Grant one step (step mode)."""
        self._command("grant")

    def set_mode(self, mode: str) -> None:
        """Switch between step and play; run mode is chosen when the conductor is made."""
        if mode not in (STEP, PLAY) or self.mode == RUN:
            raise ValueError("only step and play can be switched while a lab runs")
        self._command(f"mode:{mode}")

    def set_pace(self, seconds: float) -> None:
        self.pace = max(0.0, seconds)
        self._command("pace")

    def stop(self) -> None:
        """End the lab: every actor process ends within a second."""
        self._command("stop")

    def _command(self, name: str) -> None:
        with self._lock:
            self._commands.append(name)
        with contextlib.suppress(OSError):  # OSError: the conductor has finished
            self._wake_writer.send(b"!")

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> Outcome:
        """Run the lab to its end (or until stopped) and return how it ended."""
        self._started = time.perf_counter()
        self._limit_at = self._started + self.time_limit
        # Running freely (headless), the collector is paused; stepping, the conductor shares
        # its process with the app, whose collector is not its to pause.
        with collector_paused() if self.mode == RUN else contextlib.nullcontext():
            return self._run()

    def _run(self) -> Outcome:
        try:
            try:
                self._start_actors()
                self._schedule()
                outcome = Outcome(COMPLETED, "every actor finished")
            except _Ended as ended:
                outcome = ended.outcome
            except KeyboardInterrupt:
                outcome = Outcome(STOPPED, "interrupted")
                self._finish(outcome)
                raise
            self._finish(outcome)
            return outcome
        finally:
            self._shutdown()

    def _finish(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self._record(ev.END, "", result=outcome.kind, text=outcome.message)

    def _start_actors(self) -> None:
        self.ports = free_ports(self.scenario.ports, self.host)
        names = self.scenario.actor_names()
        for order, name in enumerate(names):
            mine, theirs = channel_pair()
            actor = _Actor(name, order, mine)
            self._actors.append(actor)
            actor.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "netlab.core.actor_main",
                    str(theirs.fileno()),
                    str(os.getpid()),
                ],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in the terminal reaches netlab, not the actors
            )
            theirs.close()
            self._selector.register(mine.sock, selectors.EVENT_READ, actor)
            mine.send(
                {
                    "t": "init",
                    "actor": name,
                    "scenario": str(self.loaded.path),
                    "host": self.host,
                    "ports": self.ports,
                    "args": self.args,
                    "free": self.mode == RUN,
                    "modelled": not self.link.perfect,
                }
            )
        start_deadline = time.perf_counter() + _START_TIMEOUT
        for actor in self._actors:
            message = self._receive(actor, deadline=start_deadline)
            if message["t"] != "hello":
                error = message.get("error", f"unexpected message {message['t']!r}")
                raise _Ended(Outcome(CRASHED, f"{actor.name} could not start: {error}"))
            actor.state = "fresh"
            self._record(ev.ACTOR_START, actor.name, result=message["pid"])

    # -- scheduling ---------------------------------------------------------------------------

    def _schedule(self) -> None:
        runnable: deque[_Actor] = deque(self._actors)
        gave_way: _Actor | None = None
        while True:
            actor = self._next_runnable(runnable, gave_way)
            if actor is None:
                return
            self._run_actor(actor)
            gave_way = actor if actor.state == "gave way" else None

    def _next_runnable(self, runnable: deque[_Actor], gave_way: _Actor | None) -> _Actor | None:
        """A decision point: who goes next? None when every actor has finished.

        What the link has in flight is delivered first; when no actor can run, the virtual
        clock moves to the next delivery or timeout, whichever comes first. An actor that gave
        way goes after every actor that can run now.
        """
        # An actor that gave way because it polls would, in a real lab, spend time doing so:
        # when nobody else can run, the clock moves on as if it waited too (else a timeout
        # could never fire while it polls). One that made many calls in a row did not wait.
        polling = gave_way is not None and gave_way.polled
        while True:
            self._deliver_due()
            self._wake_ready(runnable, wait=0.0)
            if runnable or (gave_way is not None and not polling):
                break
            if not self._move_clock(runnable):
                break
        if gave_way is not None:
            runnable.append(gave_way)
        if runnable:
            return runnable.popleft()
        blocked = [a for a in self._actors if a.state == "blocked"]
        if not blocked:
            return None
        self._wake_ready(runnable, wait=_DEADLOCK_GRACE)
        if runnable:
            return runnable.popleft()
        report = "; ".join(
            f"{a.name} is blocked in {a.blocked_op}()"
            + (f" on {a.blocked_sock}" if a.blocked_sock else "")
            + (
                f" with {self._backlog[a.name]} bytes it cannot send"
                if a.name in self._backlog
                else ""
            )
            for a in blocked
        )
        self._record(ev.DEADLOCK, "", text=report)
        raise _Ended(Outcome(DEADLOCK, f"{report}; nothing can happen any more"))

    def _move_clock(self, runnable: deque[_Actor]) -> bool:
        """Move the virtual clock to what comes next: the link's next delivery or the first
        timeout, whichever is sooner (actors whose call timed out join ``runnable``). False if
        nothing is to come."""
        blocked = [a for a in self._actors if a.state == "blocked"]
        timers = [a.deadline for a in blocked if a.deadline is not None]
        if self._deliveries and (not timers or self._deliveries[0][0] <= min(timers)):
            self.vtime = max(self.vtime, self._deliveries[0][0])
            return True
        if not timers:
            return False
        self.vtime = max(self.vtime, min(timers))
        for actor in blocked:
            if actor.deadline is not None and actor.deadline <= self.vtime:
                actor.state, actor.timed_out = "ready", True
                self._record(ev.WAKE, actor.name, op=actor.blocked_op, result="timeout")
                runnable.append(actor)
        return True

    # -- the link -----------------------------------------------------------------------------

    def _transmit(self, actor: _Actor, event: Event, info: dict[str, Any]) -> None:
        """A send over the modelled link: decide its fate and schedule its delivery."""
        sock = event.sock
        assert sock is not None
        direction = direction_of(actor.name)
        size, tx = int(info["size"]), info["tx"]
        if info["transport"] == "udp":
            decision = self._model.datagram(self.vtime, sock.id, direction, size)
            to = info.get("to")
            # The copy that arrives last lets the sender forget the datagram.
            copies = sorted(decision.copies, key=lambda copy: copy.deliver_at)
            for copy in copies:
                item = {"tx": tx, "corrupt": copy.corrupt_at, "last": copy is copies[-1]}
                self._schedule_delivery(copy.deliver_at, actor, item, sock.id)
            if decision.dropped:
                self._schedule_delivery(self.vtime, actor, {"tx": tx, "forget": True}, sock.id)
            self._record(
                ev.LINK,
                actor.name,
                op="datagram",
                sock=sock,
                text=f"datagram #{decision.number} from {sock.id} ({size} bytes): {decision.text}",
                extra={
                    "transport": "udp",
                    "number": decision.number,
                    "size": size,
                    "to": to,
                    "sent_at": self.vtime,
                    "arrivals": [copy.deliver_at for copy in decision.copies],
                    "corrupted": sum(c.corrupt_at is not None for c in decision.copies),
                    "loss_draw": round(decision.loss_draw, 6),
                    "modelled": True,
                },
            )
            return
        offset = self._stream_bytes.get(sock.id, 0)
        self._stream_bytes[sock.id] = offset + size
        segments = self._model.segments(self.vtime, sock.id, direction, offset, size)
        for segment in segments:
            item = {
                "tx": tx,
                "start": segment.start - offset,
                "end": segment.end - offset,
                "last": segment is segments[-1],
            }
            self._schedule_delivery(segment.release_at, actor, item, sock.id)
            self._record(
                ev.LINK,
                actor.name,
                op="segment",
                sock=sock,
                text=_segment_text(segment, sock.id, self.vtime, self.link.rto),
                extra={
                    "transport": "tcp",
                    "number": segment.number,
                    "start": segment.start,
                    "end": segment.end,
                    "losses": segment.losses,
                    "sent_at": self.vtime,
                    "arrive_at": segment.arrive_at,
                    "release_at": segment.release_at,
                    "modelled": True,
                },
            )

    def _schedule_delivery(
        self, at: float, actor: _Actor, item: dict[str, Any], sock_id: str
    ) -> None:
        heapq.heappush(self._deliveries, (at, next(self._delivery_order), actor.name, item))
        self._last_delivery[sock_id] = max(at, self._last_delivery.get(sock_id, 0.0))

    def _schedule_close(self, actor: _Actor, sock_id: str, how: int | None = None) -> None:
        """A close (or shutdown) waits behind the data its socket still has on the link."""
        item: dict[str, Any] = {"sock": sock_id} if how is None else {"sock": sock_id, "how": how}
        at = max(self.vtime, self._last_delivery.get(sock_id, 0.0))
        heapq.heappush(self._deliveries, (at, next(self._delivery_order), actor.name, item))

    def _deliver_due(self) -> None:
        """Hand the kernel what the link delivers by now, in order, one message per actor run."""
        heap = self._deliveries
        while heap and heap[0][0] <= self.vtime:
            name = heap[0][2]
            items = []
            while heap and heap[0][0] <= self.vtime and heap[0][2] == name:
                items.append(heapq.heappop(heap)[3])
            self._exchange(self._actor(name), {"t": "deliver", "items": items})
        for name in list(self._backlog):  # what a full receive buffer held up, try again
            self._exchange(self._actor(name), {"t": "flush"})

    def _exchange(self, actor: _Actor, message: dict[str, Any]) -> None:
        self._changes += 1
        self._send(actor, message)
        reply = self._receive(actor)
        while reply["t"] != "delivered":
            self._handle_side_message(actor, reply)
            reply = self._receive(actor)
        if reply["backlog"]:
            self._backlog[actor.name] = reply["backlog"]
        else:
            self._backlog.pop(actor.name, None)
        for error in reply.get("errors", ()):
            self._record(ev.LINK, actor.name, op="kernel", text=error, extra={"modelled": False})

    def _actor(self, name: str) -> _Actor:
        return next(actor for actor in self._actors if actor.name == name)

    def _wake_ready(self, runnable: deque[_Actor], wait: float) -> None:
        """Ask every blocked actor whether its call can go on now.

        An actor that has found itself not ready since anything last happened is not asked
        again: nothing can have changed for it.
        """
        blocked = [
            a
            for a in self._actors
            if a.state == "blocked" and (wait > 0 or a.checked_at != self._changes)
        ]
        # Running freely with a single candidate, a ready actor goes on at once (saving the
        # round trip of a separate "go"): nobody else could have gone before it.
        go = self.mode == RUN and not runnable and len(blocked) == 1 and wait == 0
        for actor in blocked:
            self._send(actor, {"t": "poll", "wait": wait, "go": go})
        self._record_deferred()  # while they answer
        for actor in blocked:  # declaration order breaks ties
            actor.checked_at = self._changes
            message = self._receive(actor)
            while message["t"] in _SIDE_MESSAGES:
                self._handle_side_message(actor, message)
                message = self._receive(actor)
            if message["t"] != "ready":  # told to go on if ready, it went on: it was ready
                actor.channel.push_back(message)
                message = {"ready": True}
            if message["ready"]:
                actor.state = "resumed" if go else "ready"
                self._record(ev.WAKE, actor.name, op=actor.blocked_op, result="ready")
                runnable.append(actor)

    def _run_actor(self, actor: _Actor) -> None:
        """Let one actor go until it blocks or ends."""
        if actor.state == "ready":  # resuming a blocked call is a step of its own
            self._step += 1
            self._await_grant()
            self._send(actor, {"t": "timeout" if actor.timed_out else "go"})
        elif actor.state == "resumed":  # it went on when it found itself ready
            self._step += 1
        elif actor.state == "gave way":  # it goes on from where it was: no step of its own
            self._send(actor, {"t": "go"})
        else:
            self._send(actor, {"t": "go"})
        actor.state, actor.timed_out, actor.deadline = "running", False, None
        free = self.mode == RUN
        while True:
            message = self._receive(actor)
            kind = message["t"]
            if kind == "call":
                self._step += 1
                actor.calls.append(message)
                self._record_call(actor, message)
                if not free and not message.get("compound"):
                    self._await_grant()
                    self._send(actor, {"t": "go"})
            elif kind == "step":  # running freely: a call and its outcome in one message
                self._step += 1
                actor.calls.append(message["call"])
                self._record_call(actor, message["call"])
                outcome = message["outcome"]
                self._record_outcome(actor, outcome["t"], outcome)
            elif kind in ("return", "raise"):
                self._record_outcome(actor, kind, message)
            elif kind == "block":
                call = message.get("call")
                if call is not None:  # running freely: the call that blocks comes along
                    self._step += 1
                    actor.calls.append(call)
                self._block(actor, message, call)
                return
            elif kind == "exit":
                self._exit(actor, message)
                return
            elif kind == "yield":
                actor.state, actor.polled = "gave way", bool(message.get("polled"))
                self._record(ev.YIELD, actor.name, text=message.get("why", ""))
                return
            else:
                self._handle_side_message(actor, message)

    def _block(self, actor: _Actor, message: dict[str, Any], new_call: Any) -> None:
        """The actor waits. Its events are recorded once the next actor has been asked to go
        on (see ``_record_later``): who goes next does not depend on them."""
        call = actor.last_call
        sock = call.get("sock")
        actor.state = "blocked"
        if call.get("op") in _PARTIAL:  # bytes sent, or a SYN, before it blocked
            self._changes += 1
        actor.checked_at = self._changes  # it has just found itself not ready
        actor.blocked_op = call.get("op", "?")
        actor.blocked_sock = sock["id"] if sock else ""
        timeout = message.get("timeout")
        actor.deadline = None if timeout is None else self.vtime + float(timeout)

        def record() -> None:
            if new_call is not None:
                self._record_call(actor, new_call)
            self._record(
                ev.BLOCK,
                actor.name,
                op=actor.blocked_op,
                args=tuple(call.get("args", ())),
                sock=_sock(sock),
                source=call.get("source"),
                result=timeout,
            )

        self._record_later = record

    def _exit(self, actor: _Actor, message: dict[str, Any]) -> None:
        actor.state = "done"
        self._changes += 1  # its sockets are closed
        error = message.get("error")
        self._record(
            ev.ACTOR_EXIT,
            actor.name,
            result="error" if error else "ok",
            error=error,
            text=message.get("traceback", ""),
            extra={"closed": message.get("closed", []), "counters": message.get("counters", {})},
        )
        for sock_id in message.get("deferred", ()):
            self._schedule_close(actor, sock_id)
        if error:
            raise _Ended(Outcome(CRASHED, f"{actor.name} raised {error}"))

    def _handle_side_message(self, actor: _Actor, message: dict[str, Any]) -> None:
        kind = message["t"]
        if kind == "output":
            self._record(ev.OUTPUT, actor.name, op=message["stream"], text=message["text"])
        elif kind == "note":
            self._record(ev.NOTE, actor.name, op="say", text=message["text"])
        elif kind == "exit":
            self._exit(actor, message)
        else:
            raise _Ended(Outcome(CRASHED, f"{actor.name} sent an unexpected message {kind!r}"))

    # -- waiting ------------------------------------------------------------------------------

    def _await_grant(self) -> None:
        """In step and play modes, wait until the user (or the pace) grants the next step."""
        if self.mode == RUN:
            return
        waited_from = time.perf_counter()
        try:
            while True:
                if self._grants > 0:
                    self._grants -= 1
                    return
                timeout = self.pace if self.mode == PLAY else None
                if not self._wait_for_command(timeout) and self.mode == PLAY:
                    return
        finally:  # time spent waiting for the user does not count against the time limit
            self._limit_at += time.perf_counter() - waited_from

    def _wait_for_command(self, timeout: float | None) -> bool:
        """Wait for a command; False if the timeout passed first."""
        if not self._commands:
            ready = selectors.DefaultSelector()
            try:
                ready.register(self._wake_reader, selectors.EVENT_READ)
                if not ready.select(timeout):
                    return False
            finally:
                ready.close()
        self._drain_commands()
        return True

    def _drain_commands(self) -> None:
        try:
            while self._wake_reader.recv(4096):
                pass
        except BlockingIOError:
            pass
        with self._lock:
            commands, self._commands = list(self._commands), deque()
        for command in commands:
            if command == "stop":
                raise _Ended(Outcome(STOPPED, "stopped"))
            if command == "grant":
                self._grants += 1
            elif command.startswith("mode:"):  # not "step": that would read as a grant
                self.mode = command.removeprefix("mode:")

    def _send(self, actor: _Actor, message: dict[str, Any]) -> None:
        actor.heard_at = time.perf_counter()  # its time to answer starts now
        try:
            actor.channel.send(message)
        except ChannelClosed:
            self._lost(actor)

    def _receive(self, actor: _Actor, deadline: float | None = None) -> dict[str, Any]:
        """The actor's next message; ends the run on stop, time limit or a dead actor."""
        channel = actor.channel
        message = channel.pop()
        if message is not None:
            actor.heard_at = time.perf_counter()
            return message
        if self.mode == RUN and _SPIN:
            message = self._receive_spinning(actor)
            if message is not None:
                return message
        while True:
            if actor.closed:
                self._lost(actor)
            limit = self._limit_at if deadline is None else deadline
            if deadline is None and self.stall_limit is not None:
                limit = min(limit, actor.heard_at + self.stall_limit)
            remaining = limit - time.perf_counter()
            if remaining <= 0:
                self._time_is_up(actor)
            for key, _ in self._selector.select(min(remaining, 3600.0)):
                sender = key.data
                if sender is None:
                    self._drain_commands()
                    continue
                try:
                    sender.channel.fill()  # any actor's: a side message may come at any time
                except ChannelClosed:
                    sender.closed = True
                    self._selector.unregister(sender.channel.sock)
            message = channel.pop()
            if message is not None:
                actor.heard_at = time.perf_counter()
                return message

    def _receive_spinning(self, actor: _Actor) -> dict[str, Any] | None:
        """The actor's next message if it comes within ``_SPIN`` seconds (see there)."""
        channel = actor.channel
        give_up = time.perf_counter() + _SPIN
        while not actor.closed and time.perf_counter() < give_up:
            try:
                if not channel.fill_now():
                    continue
            except ChannelClosed:
                actor.closed = True
                self._selector.unregister(channel.sock)
                return None
            message = channel.pop()
            if message is not None:
                actor.heard_at = time.perf_counter()
                return message
        return None

    def _time_is_up(self, actor: _Actor) -> None:
        if actor.state == "starting":
            raise _Ended(Outcome(CRASHED, f"{actor.name} did not start in time"))
        stalled = time.perf_counter() - actor.heard_at
        if self.stall_limit is not None and stalled >= self.stall_limit:
            since = f"since {actor.last_op}() returned" if actor.last_op else "since it started"
            raise _Ended(
                Outcome(
                    TIMEOUT,
                    f"{actor.name} has made no socket call for {self.stall_limit:g} s {since} "
                    "(an endless loop?)",
                )
            )
        if time.perf_counter() - actor.heard_at < 0.25:  # busy, not stuck
            raise _Ended(
                Outcome(
                    TIMEOUT,
                    f"time limit of {self.time_limit:g} s reached while {actor.name} was still "
                    f"making calls (the last: {actor.last_op}()); a longer --timeout may help",
                )
            )
        doing = f"since {actor.last_op}() returned" if actor.last_op else "since it started"
        raise _Ended(
            Outcome(
                TIMEOUT,
                f"time limit of {self.time_limit:g} s reached: {actor.name} has made no socket "
                f"call {doing} (an endless loop?)",
            )
        )

    def _lost(self, actor: _Actor) -> None:
        code = None
        if actor.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = actor.process.wait(timeout=1.0)
        how = (
            f"was killed by signal {signal.Signals(-code).name}"
            if code and code < 0
            else f"exited with code {code}"
        )
        actor.state = "done"
        self._record(ev.ACTOR_EXIT, actor.name, result="error", error=f"the process {how}")
        raise _Ended(Outcome(CRASHED, f"{actor.name}'s process {how} without a word"))

    # -- events -------------------------------------------------------------------------------

    def _record_deferred(self) -> None:
        record, self._record_later = self._record_later, None
        if record is not None:
            record()

    def _record(self, kind: str, actor: str, **fields: Any) -> Event:
        if self._record_later is not None:  # what happened first is recorded first
            self._record_deferred()
        event = Event(
            seq=len(self.events) + 1,
            kind=kind,
            actor=actor,
            vtime=self.vtime,
            wtime=time.perf_counter() - self._started,
            step=self._step,
            **fields,
        )
        self.events.append(event)
        if self._on_event is not None:
            self._on_event(event)
        return event

    def _record_call(self, actor: _Actor, message: dict[str, Any]) -> None:
        source = message.get("source")
        if source:
            # The scenario's own lines are named by its file name alone: a recording carries
            # no path of the machine it was made on, and replays anywhere.
            name = self.loaded.path.name if source[0] == self._scenario_file else source[0]
            source = (name, source[1])
        message["source"] = source  # its block and outcome events carry it too
        self._record(
            ev.CALL,
            actor.name,
            op=message["op"],
            args=tuple(message.get("args", ())),
            sock=_sock(message.get("sock")),
            source=source,
            data=message.get("data"),
            data_len=message.get("data_len", 0),
            extra={"compound": True} if message.get("compound") else {},
        )

    def _record_outcome(self, actor: _Actor, kind: str, message: dict[str, Any]) -> None:
        call = actor.calls.pop() if actor.calls else {}
        actor.last_op = call.get("op", "")
        data = message.get("data")
        extra = message.get("extra", {})
        if call.get("compound"):
            extra = {**extra, "compound": True}
        event = self._record(
            kind,
            actor.name,
            op=call.get("op", ""),
            args=tuple(call.get("args", ())),
            result=message.get("result"),
            errno=message.get("errno"),
            error=message.get("error"),
            sock=_sock(message.get("sock")),
            new_sock=_sock(message.get("new_sock")),
            data=data,
            data_len=message.get("data_len", 0),
            source=call.get("source"),
            extra=extra,
        )
        self._watch_kernel(event)
        failed_midway = kind == ev.RAISE and event.op in _PARTIAL  # some of it may be done
        if (kind == ev.RETURN or failed_midway) and event.op not in _INERT and "tx" not in extra:
            self._changes += 1
        if "tx" in extra:
            self._transmit(actor, event, extra)
        elif "deferred" in extra and event.sock is not None:
            self._schedule_close(actor, event.sock.id, extra.get("how"))

    def _watch_kernel(self, event: Event) -> None:
        """Record the kernel's view of the lab's sockets if it changed with this step.

        Only at a person's pace: stepping, or playing at least ``_KERNEL_PACE`` seconds a
        step. Asking costs tens of microseconds a socket (milliseconds where ``/proc/net/tcp``
        must be read), which would halve a lab played at full speed; running freely, the actor
        goes on while the kernel is asked. When the watch stops, a ``kernel`` event without
        sockets says that from here it is not known.
        """
        if self.mode == RUN:  # for the whole run
            return
        for info in (event.sock, event.new_sock):
            if info is not None:
                self._lab_sockets[info.id] = info
        if self.mode == PLAY and self.pace < _KERNEL_PACE:
            if self._kernel_seen is not None:
                self._kernel_seen = None
                self._record(ev.KERNEL, "", extra={"sockets": None})
            return
        table = KernelTable.read({info.type for info in self._lab_sockets.values()})
        seen: dict[str, list[Any]] = {}
        for sock_id, info in list(self._lab_sockets.items()):
            row = table.find(info.type, info.local, info.peer)
            if row is not None:
                seen[sock_id] = [row.state, row.send_queue, row.recv_queue, row.drops]
            elif info.fd == -1:  # closed, and the kernel has let go of it too
                del self._lab_sockets[sock_id]
        if seen != self._kernel_seen:
            self._kernel_seen = seen
            self._record(ev.KERNEL, "", extra={"sockets": seen})

    # -- the end ------------------------------------------------------------------------------

    def _shutdown(self) -> None:
        """End every actor process and close every channel; sockets close with the processes."""
        for actor in self._actors:
            if actor.state in ("running", "starting") and actor.process is not None:
                # It is not listening (an endless loop, or stopped mid-step): no need to wait.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(actor.process.pid, signal.SIGKILL)
            with contextlib.suppress(ChannelClosed):
                actor.channel.send({"t": "bye"})
        give_up = time.perf_counter() + _EXIT_GRACE
        for actor in self._actors:
            process = actor.process
            if process is None:
                continue
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.0, give_up - time.perf_counter()))
            # The whole group: whatever the actor itself started goes too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for actor in self._actors:
            actor.channel.close()
        self._selector.close()
        self._wake_reader.close()
        self._wake_writer.close()


def _segment_text(segment: Any, sock_id: str, now: float, rto_ms: float) -> str:
    where = f"segment #{segment.number} from {sock_id} (bytes {segment.start}-{segment.end - 1})"
    parts = []
    if segment.losses:
        waits = [rto_ms * 2**i for i in range(segment.losses)]
        resent = ", ".join(f"{wait:g} ms" for wait in waits)
        parts.append(f"lost {segment.losses}x, sent again after {resent} (retransmission timeout)")
    parts.append(f"arrives after {(segment.arrive_at - now) * 1000:.1f} ms")
    if segment.release_at > segment.arrive_at:
        held = (segment.release_at - segment.arrive_at) * 1000
        parts.append(f"held {held:.1f} ms behind an earlier segment (head-of-line blocking)")
    return f"{where}: {'; '.join(parts)}"


def _sock(raw: dict[str, Any] | None) -> SockInfo | None:
    """A socket snapshot from a message (shared with an equal one seen before: see SockInfo)."""
    return SockInfo.from_json(raw) if raw else None

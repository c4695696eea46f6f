"""The reducer: the state of a lab computed from its events alone (DESIGN §1.2).

``reduce(events[:k])`` is what every view shows at step k: live, replayed or stepped back.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from netlab.core import calls
from netlab.core import events as ev
from netlab.core.event_store import EventStore
from netlab.core.events import Event, SockInfo

# The states a lab socket goes through, as seen from its calls (the table of calls says which).
NEW, BOUND, LISTENING, CONNECTED, PEER_CLOSED, SHUT, CLOSED = (
    calls.NEW,
    calls.BOUND,
    calls.LISTENING,
    calls.CONNECTED,
    calls.PEER_CLOSED,
    calls.SHUT,
    calls.CLOSED,
)

# Actor statuses.
STARTING, RUNNING, BLOCKED, READY, DONE, CRASHED = (
    "starting",
    "running",
    "blocked",
    "ready",
    "done",
    "crashed",
)
STOPPED = "stopped"  # a program Ctrl-C (or the lab) stopped once the others had finished

_KERNEL_STATE = re.compile(r"[A-Z0-9-]{1,12}")  # as ss names them: ESTAB, TIME-WAIT...


class KernelSeen(NamedTuple):
    """One lab socket as the kernel had it (a row of ``/proc/net/tcp`` or ``udp``)."""

    state: str  # as ss prints it: ESTAB, LISTEN, TIME-WAIT... (UDP: UNCONN, ESTAB)
    send_queue: int
    recv_queue: int
    drops: int


@dataclass
class SocketState:
    id: str
    fd: int
    family: str
    type: str
    local: Any = None
    peer: Any = None
    state: str = NEW
    bytes_in: int = 0
    bytes_out: int = 0

    def update(self, info: SockInfo) -> None:
        self.fd = info.fd
        self.local = info.local
        self.peer = info.peer


@dataclass
class ActorState:
    name: str
    status: str = STARTING
    pid: int | None = None
    sockets: dict[str, SocketState] = field(default_factory=dict)
    call: Event | None = None  # the call under way: announced, blocked or ready to go on
    output: list[str] = field(default_factory=list)
    output_goes_on: bool = False  # its last line was written without its end (a prompt)
    waits_for_keyboard: bool = False  # blocked in a read of its keyboard, or a wait that watches it
    error: str | None = None
    traceback: str = ""

    @property
    def blocked_on(self) -> str | None:
        """What it waits for, e.g. ``recv() on server#2``; None if it is not blocked."""
        if self.status != BLOCKED or self.call is None:
            return None
        sock = self.call.sock
        return f"{self.call.op}()" + (f" on {sock.id}" if sock else "")


@dataclass
class LabState:
    actors: dict[str, ActorState] = field(default_factory=dict)
    # What the kernel said about the lab's sockets at the latest ``kernel`` event, by socket id;
    # None where it is not known (a lab that ran freely, or played at full speed).
    kernel: dict[str, KernelSeen] | None = None
    vtime: float = 0.0
    step: int = 0
    events: int = 0  # how many events made this state
    outcome: str | None = None  # how the run ended, once it has
    outcome_text: str = ""
    deadlock: str = ""
    thread_of: dict[str, str] = field(default_factory=dict)  # a thread's actor, by thread

    def actor(self, name: str) -> ActorState:
        if name not in self.actors:
            self.actors[name] = ActorState(name)
        return self.actors[name]

    def socket(self, actor: str, info: SockInfo) -> SocketState:
        """The socket's state, kept by the actor whose process has it: its threads share it,
        and a thread sees only the calls it makes itself."""
        sockets = self.actor(self.thread_of.get(actor, actor)).sockets
        if info.id not in sockets:
            sockets[info.id] = SocketState(info.id, info.fd, info.family, info.type)
        state = sockets[info.id]
        state.update(info)
        return state

    def apply(self, event: Event) -> None:
        """Fold one event into the state."""
        self.events += 1
        self.vtime = event.vtime
        self.step = max(self.step, event.step)
        handler = _HANDLERS.get(event.kind)
        if handler is not None:
            handler(self, event)


def reduce(events: Iterable[Event]) -> LabState:
    state = LabState()
    for event in events:
        state.apply(event)
    return state


def _actor_start(state: LabState, event: Event) -> None:
    actor = state.actor(event.actor)
    actor.status = READY  # it waits for its turn: running comes with its first call
    actor.pid = event.result if isinstance(event.result, int) else None
    owner = event.extra.get("thread_of")
    if isinstance(owner, str):
        state.thread_of[event.actor] = owner


def _call(state: LabState, event: Event) -> None:
    actor = state.actor(event.actor)
    actor.status = RUNNING
    if not event.extra.get("compound"):
        actor.call = event


def _block(state: LabState, event: Event) -> None:
    actor = state.actor(event.actor)
    actor.status = BLOCKED
    actor.waits_for_keyboard = event.op in calls.KEYBOARD_READS or bool(event.extra.get("keyboard"))


def _wake(state: LabState, event: Event) -> None:
    state.actor(event.actor).status = READY


def _return(state: LabState, event: Event) -> None:
    actor = state.actor(event.actor)
    actor.status = RUNNING
    actor.call = None
    sock = state.socket(event.actor, event.sock) if event.sock is not None else None
    if event.new_sock is not None:
        state.socket(event.actor, event.new_sock).state = CONNECTED
    if sock is None:
        return
    entry = calls.call(event.op)
    if entry.data == calls.OUT:
        sock.bytes_out += event.data_len
        if sock.state == NEW and sock.local:
            sock.state = BOUND  # the kernel bound it on the first send
    elif entry.data == calls.IN:
        sock.bytes_in += event.data_len
        if event.data_len == 0 and sock.type == "SOCK_STREAM":
            sock.state = PEER_CLOSED
    elif entry.state is not None and entry.succeeded(event.result):
        sock.state = entry.state


def _raise(state: LabState, event: Event) -> None:
    actor = state.actor(event.actor)
    actor.status = RUNNING
    actor.call = None
    if event.sock is not None:
        state.socket(event.actor, event.sock)


# Printed lines an actor's state keeps (its panel shows the last few): an actor printing a
# million lines does not grow the state, nor every copy of it the timeline keeps.
OUTPUT_KEPT = 200
_LINE_KEPT = 4096  # characters of a line printed in pieces, from its end


def _output(state: LabState, event: Event) -> None:
    actor = state.actor(event.actor)
    if actor.output_goes_on and actor.output:
        actor.output[-1] = (actor.output[-1] + event.text)[-_LINE_KEPT:]
    else:
        actor.output.append(event.text)
        if len(actor.output) > 2 * OUTPUT_KEPT:
            del actor.output[:OUTPUT_KEPT]
    actor.output_goes_on = bool(event.extra.get("partial"))


def _actor_exit(state: LabState, event: Event) -> None:
    actor = state.actor(event.actor)
    actor.call = None
    actor.status = CRASHED if event.error else STOPPED if event.extra.get("stopped") else DONE
    status = event.extra.get("status")
    if status and not event.error and not event.extra.get("stopped"):
        actor.status = f"exit {status}"  # sys.exit(n): its exit status, as a shell shows it
    actor.error = event.error
    actor.traceback = event.text
    for sock in actor.sockets.values():  # the process closed whatever was left open
        sock.state = CLOSED


def _deadlock(state: LabState, event: Event) -> None:
    state.deadlock = event.text


def _kernel(state: LabState, event: Event) -> None:
    state.kernel = kernel_rows(event)


def kernel_rows(event: Event) -> dict[str, KernelSeen] | None:
    """What a ``kernel`` event says of the lab's sockets, by socket id; None: not known from
    here (the kernel was not watched)."""
    seen = event.extra.get("sockets")
    if not isinstance(seen, dict):
        return None
    return {
        sock_id: KernelSeen(*row)
        for sock_id, row in seen.items()
        if isinstance(row, list)
        and len(row) == 4
        and isinstance(row[0], str)
        and _KERNEL_STATE.fullmatch(row[0])
        and all(isinstance(n, int) and not isinstance(n, bool) for n in row[1:])
    }  # a recording may say anything: what is not as the conductor writes it is left out


def _end(state: LabState, event: Event) -> None:
    state.outcome = str(event.result)
    state.outcome_text = event.text


_HANDLERS = {
    ev.ACTOR_START: _actor_start,
    ev.CALL: _call,
    ev.BLOCK: _block,
    ev.WAKE: _wake,
    ev.RETURN: _return,
    ev.RAISE: _raise,
    ev.OUTPUT: _output,
    ev.ACTOR_EXIT: _actor_exit,
    ev.DEADLOCK: _deadlock,
    ev.KERNEL: _kernel,
    ev.END: _end,
}


class Timeline:
    """The state after any number of events, fast: a reduced copy is kept every ``every``
    events, so going back (time travel) replays at most that many events.

    The events are kept in an :class:`EventStore` (the latest in memory, the rest on disk), and
    at most ``checkpoints`` copies: past that, every other one is let go and the distance between
    them doubles. A lab of any length takes the memory of a few thousand events."""

    def __init__(
        self, every: int = 2000, *, store: EventStore | None = None, checkpoints: int = 128
    ) -> None:
        self.every = every
        self.events: EventStore = store if store is not None else EventStore()
        self._most = checkpoints
        self._checkpoints: list[LabState] = [LabState()]  # state after 0, every, 2*every, ...
        self._latest = LabState()

    def extend(self, events: Iterable[Event]) -> None:
        for event in events:
            self.events.append(event)
            self._latest.apply(event)
            if len(self.events) % self.every == 0:
                self._checkpoints.append(copy.deepcopy(self._latest))
                if len(self._checkpoints) > self._most:
                    self._checkpoints = self._checkpoints[::2]
                    self.every *= 2

    @property
    def latest(self) -> LabState:
        return self._latest

    def state_at(self, count: int) -> LabState:
        """The state after the first ``count`` events."""
        count = max(0, min(count, len(self.events)))
        if count == len(self.events):
            return self._latest
        base = count // self.every
        state = copy.deepcopy(self._checkpoints[base])
        for event in self.events.stretch(base * self.every, count):
            state.apply(event)
        return state

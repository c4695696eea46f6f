"""The conductor: runs one lab, sequencing its actors' calls (DESIGN §2.2).

A small core with collaborators, each in a module of its own:
- who runs next: :mod:`netlab.core.scheduler` (the scheduling rules, the deadlock);
- the virtual clock and what is due on it: :mod:`netlab.core.clock`;
- the actor processes, behind an interface: :mod:`netlab.core.processes`;
- step, play, pause and stop, from any thread: :mod:`netlab.core.controls`;
- the event log: :mod:`netlab.core.event_log` (and :mod:`netlab.core.kernel_watch`);
- the modelled link's traffic: :mod:`netlab.core.traffic`;
- what each call is: :mod:`netlab.core.calls`; the messages: :mod:`netlab.core.wire`.

Here: the conversation with the actor that runs (its calls, their outcomes, its blocks), and
how a lab starts and ends. Modes: ``step`` grants one step per :meth:`Conductor.step`; ``play``
grants steps at a pace; ``run`` lets the current actor go on without asking.
"""

from __future__ import annotations

import contextlib
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from netlab.core import calls, wire
from netlab.core import events as ev
from netlab.core.clock import Clock
from netlab.core.collector import collector_paused
from netlab.core.controls import MODES, PLAY, RUN, STEP, Controls, StopRequested
from netlab.core.event_log import EventLog, snapshot
from netlab.core.events import Event
from netlab.core.kernel_watch import KernelWatch
from netlab.core.link import LinkModel, resolve_link
from netlab.core.ports import LOOPBACK, free_ports
from netlab.core.processes import ActorGone, Actors, Message, ProcessActors
from netlab.core.scenario import LoadedScenario
from netlab.core.scheduler import (
    BLOCKED,
    DONE,
    FRESH,
    GAVE_WAY,
    READY,
    RESUMED,
    RUNNING,
    STARTING,
    ActorRecord,
    Scheduler,
    deadlock_report,
)
from netlab.core.traffic import Traffic

__all__ = ["COMPLETED", "CRASHED", "DEADLOCK", "MODES", "PLAY", "RUN", "STEP", "STOPPED"]
__all__ += ["TIMEOUT", "Conductor", "Outcome"]

# How a run ended: the ``result`` of the END event.
COMPLETED, CRASHED, DEADLOCK, TIMEOUT, STOPPED = (
    "completed",
    "crashed",
    "deadlock",
    "timeout",
    "stopped",
)
# How long starting an actor process may take.
_START_TIMEOUT = 10.0
# An actor heard from more recently than this when the time limit comes is busy, not stuck.
_BUSY = 0.25


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


class Conductor:
    """Runs one lab. :meth:`run` blocks until the lab ends; :meth:`step`, :meth:`set_mode`,
    :meth:`set_pace` and :meth:`stop` may be called from any thread while it runs."""

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
        actors: Callable[[Controls], Actors] = ProcessActors,
    ) -> None:
        self.loaded = loaded
        self.scenario = loaded.scenario
        self.controls = Controls(mode, pace)  # ValueError for an unknown mode
        self.seed = self.scenario.seed if seed is None else seed
        self.time_limit = time_limit  # seconds the whole run may take (not counting the user)
        self.stall_limit = stall_limit  # seconds an actor may run without making a call
        self.host = host
        self.args = {**self.scenario.args, **(args or {})}
        # Refused here, before any actor starts, if its settings are wrong (LinkError).
        self.link = resolve_link(self.scenario.link if link is None else link)
        self.clock = Clock()
        self.log = EventLog(self.clock, loaded.path, on_event)
        self.traffic = Traffic(LinkModel(self.link, self.seed), self.clock, self.log, self.link.rto)
        self.kernel_watch = KernelWatch(self.log, self.controls.pacing)
        self.outcome: Outcome | None = None
        self.ports: list[int] = []
        self._make_actors = actors
        self._actors: list[ActorRecord] = []
        self._processes: Actors | None = None
        self._backlog: dict[str, int] = {}  # bytes an actor could not yet write, by actor
        self._changes = 0  # counts what may have made a blocked actor ready
        self._limit_at = 0.0

    # -- what the lab is and has done ---------------------------------------------------------

    @property
    def events(self) -> list[Event]:
        return self.log.events

    @property
    def vtime(self) -> float:
        return self.clock.now

    @property
    def mode(self) -> str:
        return self.controls.pacing.mode

    @property
    def pace(self) -> float:
        return self.controls.pacing.pace

    # -- control from any thread --------------------------------------------------------------

    def step(self) -> None:
        """Grant one step (step mode)."""
        self.controls.step()

    def set_mode(self, mode: str) -> None:
        """Switch between step and play; run mode is chosen when the conductor is made."""
        self.controls.set_mode(mode)

    def set_pace(self, seconds: float) -> None:
        self.controls.set_pace(seconds)

    def stop(self) -> None:
        """End the lab: every actor process ends within a second."""
        self.controls.stop()

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> Outcome:
        """Run the lab to its end (or until stopped) and return how it ended."""
        self.log.start_clock()
        self._limit_at = time.perf_counter() + self.time_limit
        # Running freely (headless), the collector is paused; stepping, the conductor shares
        # its process with the app, whose collector is not its to pause.
        with collector_paused() if self.mode == RUN else contextlib.nullcontext():
            return self._run()

    def _run(self) -> Outcome:
        try:
            try:
                self._start_actors()
                scheduler = Scheduler(self._actors, self.clock, self)
                gave_way: ActorRecord | None = None
                while (actor := scheduler.next(gave_way)) is not None:
                    self._run_actor(actor)
                    gave_way = actor if actor.state == GAVE_WAY else None
                outcome = Outcome(COMPLETED, "every actor finished")
            except _Ended as ended:
                outcome = ended.outcome
            except StopRequested:
                outcome = Outcome(STOPPED, "stopped")
            except KeyboardInterrupt:
                self._finish(Outcome(STOPPED, "interrupted"))
                raise
            self._finish(outcome)
            return outcome
        finally:
            if self._processes is not None:
                busy = [a.name for a in self._actors if a.state in (RUNNING, STARTING)]
                self._processes.stop(busy)
            self.controls.close()

    def _finish(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.log.record(ev.END, "", result=outcome.kind, text=outcome.message)

    def _start_actors(self) -> None:
        self.ports = free_ports(self.scenario.ports, self.host)
        self._processes = processes = self._make_actors(self.controls)
        for order, name in enumerate(self.scenario.actor_names()):
            self._actors.append(ActorRecord(name, order))
            init = {
                "t": wire.INIT,
                "actor": name,
                "scenario": str(self.loaded.path),
                "host": self.host,
                "ports": self.ports,
                "args": self.args,
                "free": self.mode == RUN,
                "modelled": not self.link.perfect,
            }
            processes.start(name, init)
        start_deadline = time.perf_counter() + _START_TIMEOUT
        for actor in self._actors:
            message = self._receive(actor, deadline=start_deadline)
            if message["t"] != wire.HELLO:
                error = message.get("error", f"unexpected message {message['t']!r}")
                raise _Ended(Outcome(CRASHED, f"{actor.name} could not start: {error}"))
            actor.state = FRESH
            self.log.record(ev.ACTOR_START, actor.name, result=message["pid"])

    # -- what the scheduler asks (scheduler.Lab) ----------------------------------------------

    def deliver_due(self) -> None:
        """Hand the kernel what the link delivers by now, in order, one message per actor run."""
        for name, items in self.clock.due():
            self._exchange(self._actor(name), {"t": wire.DELIVER, "items": items})
        for name in list(self._backlog):  # what a full receive buffer held up, try again
            self._exchange(self._actor(name), {"t": wire.FLUSH})

    def wake_ready(self, runnable: deque[ActorRecord], wait: float) -> None:
        """Ask every blocked actor whether its call can go on now.

        An actor that has found itself not ready since anything last happened is not asked
        again: nothing can have changed for it.
        """
        blocked = [
            a
            for a in self._actors
            if a.state == BLOCKED and (wait > 0 or a.checked_at != self._changes)
        ]
        # Running freely with a single candidate, a ready actor goes on at once (saving the
        # round trip of a separate "go"): nobody else could have gone before it.
        go = self.mode == RUN and not runnable and len(blocked) == 1 and wait == 0
        for actor in blocked:
            self._send(actor, {"t": wire.POLL, "wait": wait, "go": go})
        self.log.catch_up()  # while they answer
        for actor in blocked:  # declaration order breaks ties
            actor.checked_at = self._changes
            message = self._receive(actor)
            while message["t"] in wire.SIDE_MESSAGES:
                self._side_message(actor, message)
                message = self._receive(actor)
            if message["t"] != wire.READY:  # told to go on if ready, it went on: it was ready
                self._processes_().push_back(actor.name, message)
                message = {"ready": True}
            if message["ready"]:
                actor.state = RESUMED if go else READY
                self.clock.clear_timeout(actor.name)
                self.log.record(ev.WAKE, actor.name, op=actor.blocked_op, result="ready")
                runnable.append(actor)

    def time_out(self, actor: ActorRecord) -> None:
        actor.state, actor.timed_out = READY, True
        self.log.record(ev.WAKE, actor.name, op=actor.blocked_op, result="timeout")

    def deadlock(self, blocked: list[ActorRecord]) -> NoReturn:
        report = deadlock_report(blocked, self._backlog)
        self.log.record(ev.DEADLOCK, "", text=report)
        raise _Ended(Outcome(DEADLOCK, f"{report}; nothing can happen any more"))

    # -- the actor that runs ------------------------------------------------------------------

    def _run_actor(self, actor: ActorRecord) -> None:
        """Let one actor go until it blocks, gives way or ends."""
        if actor.state == READY:  # resuming a blocked call is a step of its own
            self.log.new_step()
            self._await_grant()
            self._send(actor, {"t": wire.TIMEOUT if actor.timed_out else wire.GO})
        elif actor.state == RESUMED:  # it went on when it found itself ready
            self.log.new_step()
        else:  # fresh, or it gave way and goes on from where it was: no step of its own
            self._send(actor, {"t": wire.GO})
        actor.state, actor.timed_out = RUNNING, False
        self.clock.clear_timeout(actor.name)
        free = self.mode == RUN
        while True:
            message = self._receive(actor)
            kind = message["t"]
            if kind == wire.CALL:
                self._begin_call(actor, message)
                if not free and not message.get("compound"):
                    self._await_grant()
                    self._send(actor, {"t": wire.GO})
            elif kind == wire.STEP:  # running freely: a call and its outcome in one message
                self._begin_call(actor, message["call"])
                outcome = message["outcome"]
                self._end_call(actor, outcome["t"], outcome)
            elif kind in (wire.RETURN, wire.RAISE):
                self._end_call(actor, kind, message)
            elif kind == wire.BLOCK:
                call = message.get("call")
                if call is not None:  # running freely: the call that blocks comes along
                    self.log.new_step()
                    actor.calls.append(call)
                self._block(actor, message, call)
                return
            elif kind == wire.EXIT:
                self._exit(actor, message)
                return
            elif kind == wire.YIELD:
                actor.state, actor.polled = GAVE_WAY, bool(message.get("polled"))
                self.log.record(ev.YIELD, actor.name, text=message.get("why", ""))
                return
            else:
                self._side_message(actor, message)

    def _begin_call(self, actor: ActorRecord, call: Message) -> None:
        self.log.new_step()
        actor.calls.append(call)
        self.log.call(actor.name, call)

    def _end_call(self, actor: ActorRecord, kind: str, message: Message) -> None:
        call = actor.calls.pop() if actor.calls else {}
        actor.last_op = call.get("op", "")
        event = self.log.outcome(actor.name, kind, call, message)
        self.kernel_watch.after(event)
        extra = event.extra
        failed_midway = kind == ev.RAISE and event.op in calls.PARTIAL  # some of it may be done
        if (
            (kind == ev.RETURN or failed_midway)
            and event.op not in calls.INERT
            and "tx" not in extra
        ):
            self._changes += 1
        if "tx" in extra:
            self.traffic.transmit(actor.name, event, dict(extra))
        elif "deferred" in extra and event.sock is not None:
            self.traffic.close_behind(actor.name, event.sock.id, extra.get("how"))

    def _block(self, actor: ActorRecord, message: Message, new_call: Message | None) -> None:
        """The actor waits. Its events are recorded once the next actor has been asked to go
        on (see ``EventLog.later``): who goes next does not depend on them."""
        call = actor.last_call
        sock = call.get("sock")
        actor.state = BLOCKED
        if call.get("op") in calls.PARTIAL:  # bytes sent, or a SYN, before it blocked
            self._changes += 1
        actor.checked_at = self._changes  # it has just found itself not ready
        actor.blocked_op = call.get("op", "?")
        actor.blocked_sock = sock["id"] if sock else ""
        timeout = message.get("timeout")
        self.clock.set_timeout(actor.name, None if timeout is None else float(timeout))

        def record() -> None:
            if new_call is not None:
                self.log.call(actor.name, new_call)
            self.log.record(
                ev.BLOCK,
                actor.name,
                op=actor.blocked_op,
                args=tuple(call.get("args", ())),
                sock=snapshot(sock),
                source=call.get("source"),
                result=timeout,
            )

        self.log.later(record)

    def _exit(self, actor: ActorRecord, message: Message) -> None:
        actor.state = DONE
        self._changes += 1  # its sockets are closed
        error = message.get("error")
        self.log.record(
            ev.ACTOR_EXIT,
            actor.name,
            result="error" if error else "ok",
            error=error,
            text=message.get("traceback", ""),
            extra={"closed": message.get("closed", []), "counters": message.get("counters", {})},
        )
        for sock_id in message.get("deferred", ()):
            self.traffic.close_behind(actor.name, sock_id)
        if error:
            raise _Ended(Outcome(CRASHED, f"{actor.name} raised {error}"))

    def _side_message(self, actor: ActorRecord, message: Message) -> None:
        kind = message["t"]
        if kind == wire.OUTPUT:
            self.log.record(ev.OUTPUT, actor.name, op=message["stream"], text=message["text"])
        elif kind == wire.NOTE:
            self.log.record(ev.NOTE, actor.name, op="say", text=message["text"])
        elif kind == wire.EXIT:
            self._exit(actor, message)
        else:
            raise _Ended(Outcome(CRASHED, f"{actor.name} sent an unexpected message {kind!r}"))

    def _exchange(self, actor: ActorRecord, message: Message) -> None:
        """Hand the actor what the link delivers (or ask it to flush) and hear how it went."""
        self._changes += 1
        self._send(actor, message)
        reply = self._receive(actor)
        while reply["t"] != wire.DELIVERED:
            self._side_message(actor, reply)
            reply = self._receive(actor)
        if reply["backlog"]:
            self._backlog[actor.name] = reply["backlog"]
        else:
            self._backlog.pop(actor.name, None)
        for error in reply.get("errors", ()):
            self.log.record(ev.LINK, actor.name, op="kernel", text=error, extra={"modelled": False})

    def _actor(self, name: str) -> ActorRecord:
        return next(actor for actor in self._actors if actor.name == name)

    # -- waiting ------------------------------------------------------------------------------

    def _await_grant(self) -> None:
        """In step and play modes, wait until the user (or the pace) grants the next step."""
        pacing = self.controls.pacing
        if pacing.mode == RUN:
            return
        waited_from = time.perf_counter()
        try:
            while True:
                if pacing.grants > 0:
                    pacing.grants -= 1
                    return
                timeout = pacing.pace if pacing.mode == PLAY else None
                if not self.controls.wait(timeout) and pacing.mode == PLAY:
                    return
        finally:  # time spent waiting for the user does not count against the time limit
            self._limit_at += time.perf_counter() - waited_from

    def _processes_(self) -> Actors:
        assert self._processes is not None
        return self._processes

    def _send(self, actor: ActorRecord, message: Message) -> None:
        actor.heard_at = time.perf_counter()  # its time to answer starts now
        try:
            self._processes_().send(actor.name, message)
        except ActorGone:
            self._lost(actor)

    def _receive(self, actor: ActorRecord, deadline: float | None = None) -> Message:
        """The actor's next message; ends the run on stop, time limit or a dead actor."""
        limit = self._limit_at if deadline is None else deadline
        if deadline is None and self.stall_limit is not None:
            limit = min(limit, actor.heard_at + self.stall_limit)
        try:
            message = self._processes_().receive(actor.name, limit, spin=self.mode == RUN)
        except ActorGone:
            self._lost(actor)
        if message is None:
            self._time_is_up(actor)
        actor.heard_at = time.perf_counter()
        return message

    def _time_is_up(self, actor: ActorRecord) -> NoReturn:
        if actor.state == STARTING:
            raise _Ended(Outcome(CRASHED, f"{actor.name} did not start in time"))
        stalled = time.perf_counter() - actor.heard_at
        since = f"since {actor.last_op}() returned" if actor.last_op else "since it started"
        if self.stall_limit is not None and stalled >= self.stall_limit:
            text = (
                f"{actor.name} has made no socket call for {self.stall_limit:g} s {since} "
                "(an endless loop?)"
            )
        elif stalled < _BUSY:
            text = (
                f"time limit of {self.time_limit:g} s reached while {actor.name} was still "
                f"making calls (the last: {actor.last_op}()); a longer --timeout may help"
            )
        else:
            text = (
                f"time limit of {self.time_limit:g} s reached: {actor.name} has made no socket "
                f"call {since} (an endless loop?)"
            )
        raise _Ended(Outcome(TIMEOUT, text))

    def _lost(self, actor: ActorRecord) -> NoReturn:
        code = self._processes_().exit_code(actor.name, timeout=1.0)
        how = (
            f"was killed by signal {signal.Signals(-code).name}"
            if code and code < 0
            else f"exited with code {code}"
        )
        actor.state = DONE
        self.log.record(ev.ACTOR_EXIT, actor.name, result="error", error=f"the process {how}")
        raise _Ended(Outcome(CRASHED, f"{actor.name}'s process {how} without a word"))

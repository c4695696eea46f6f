"""The actors on stage: what the conductor says to them and hears from them (DESIGN §2.2).

One actor's turn (its calls, their outcomes, its block, giving way or its end), and what the
scheduler asks at a decision point (deliver what is due, which blocked actors can go on, a
timeout, a deadlock), over the actor processes' interface, within the lab's time limits.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any, NoReturn

from netlab.core import calls, containment, questions, wire
from netlab.core import events as ev
from netlab.core.clock import Clock
from netlab.core.controls import PLAY, RUN, STEP, Controls, Typed
from netlab.core.event_log import EventLog, snapshot
from netlab.core.kernel_view import connection_owner, descends_from, port_holders
from netlab.core.kernel_watch import KernelWatch
from netlab.core.outcomes import (
    COMPLETED,
    CRASHED,
    DEADLOCK,
    TIMEOUT,
    LabEnded,
    Outcome,
    process_ended,
    still_at_work,
    time_is_up,
    time_is_up_between,
)
from netlab.core.processes import ActorGone, Actors, Message
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
    deadlock_report,
)
from netlab.core.traffic import Traffic

# How long past the time limit a blocked actor may take to answer whether it is ready.
_ANSWER_GRACE = 1.0
# Timeouts in a row, with nothing else happening, after which a program left alone gets Ctrl-C.
_IDLE_TIMEOUTS = 10
# With outside programs let in: how often (seconds) the lab looks whether one has come.
_OUTSIDE_EVERY = 0.05


def _listening(host: str, port: int) -> str:
    """Who may reach a socket that listens, in a lab that lets programs outside it in."""
    everywhere = host in ("0.0.0.0", "::", "")
    loopback = host.startswith("127.") or host == "::1"
    where = "127.0.0.1" if everywhere else host
    said = f"{host}:{port} listens: a program outside the lab may connect to it (nc {where} {port})"
    if not loopback:
        said += ", and from other machines too" + (
            ", at this one's addresses" if everywhere else ""
        )
    return said + "; what it does is not repeated when the lab runs again"


_WAITED_OUTSIDE = "time limit of {:g} s reached waiting for programs outside the lab ({})"
_OUTSIDERS = "programs outside the lab took part, so it cannot be repeated exactly: "


class Stage:
    def __init__(
        self,
        processes: Actors,
        controls: Controls,
        clock: Clock,
        log: EventLog,
        traffic: Traffic,
        kernel_watch: KernelWatch,
        *,
        time_limit: float,
        stall_limit: float | None,
    ) -> None:
        self.actors: list[ActorRecord] = []
        self.processes = processes
        self.controls = controls
        self.clock = clock
        self.log = log
        self.traffic = traffic
        self.kernel_watch = kernel_watch
        self.time_limit = time_limit  # seconds the whole run may take (not counting the user)
        self.stall_limit = stall_limit  # seconds an actor may run without making a call
        self.limit_at = time.perf_counter() + time_limit
        self._backlog: dict[str, int] = {}  # bytes an actor could not yet write, by actor
        self.changes = 0  # counts what may have made a blocked or polling actor able to go on
        self._started: list[ActorRecord] = []  # lanes started since the scheduler last asked
        self._pids: dict[str, int] = {}
        self.programs: set[str] = set()  # actors that are plain programs (see deadlock)
        self.crashed: list[str] = []  # programs that raised (the others went on)
        self.exited: list[str] = []  # programs that ended with sys.exit(n), n not 0
        self.questions = False  # a person answers ctx.ask(): playing stops at a question
        self.keyboard = False  # a person types: a program waiting for its keyboard waits for them
        self.outside = False  # programs outside the lab may connect: a lone server waits for them
        self.outsiders: list[str] = []  # the outside programs that connected (not repeatable)
        self._lab_ports: set[int] = set()  # local ports of the actors' sockets, as seen so far
        self.limits = containment.Limits()  # what each actor may take (said when one is hit)
        self._typed: dict[str, list[Typed]] = {}  # by process, until it reads its keyboard

    @property
    def free(self) -> bool:
        """Running freely: the current actor goes on without asking."""
        return self.controls.pacing.mode == RUN

    def start(self, name: str, init: Message) -> None:
        self.actors.append(ActorRecord(name, len(self.actors)))
        self.processes.start(name, init)

    def hear_hello(self, deadline: float) -> None:
        """Wait until every actor has started (loaded, waiting to be scheduled)."""
        for actor in self.actors:
            message = self._receive(actor, deadline=deadline)
            if message["t"] != wire.HELLO:
                error = message.get("error", f"unexpected message {message['t']!r}")
                raise LabEnded(Outcome(CRASHED, f"{actor.name} could not start: {error}"))
            actor.state = FRESH
            self._pids[actor.name] = message["pid"]
            self.log.record(ev.ACTOR_START, actor.name, result=message["pid"])

    def busy(self) -> list[str]:
        """The actors not listening now (running, or still starting)."""
        return [actor.name for actor in self.actors if actor.state in (RUNNING, STARTING)]

    # -- what the scheduler asks (scheduler.Lab) ----------------------------------------------

    def started(self) -> list[ActorRecord]:
        started, self._started = self._started, []
        return started

    def deliver_due(self) -> None:
        """Hand the kernel what the link delivers by now, in order, one message per actor run;
        and a program waiting for its keyboard what was typed."""
        self._deliver_typed()
        for name, items in self.clock.due():  # the sender's process holds what it sent
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
            for a in self.actors
            if a.state == BLOCKED and (wait > 0 or a.checked_at != self.changes)
        ]
        # Running freely with a single candidate, a ready actor goes on at once (saving the
        # round trip of a separate "go"): nobody else could have gone before it.
        go = self.free and not runnable and len(blocked) == 1 and wait == 0
        for actor in blocked:
            self._send(actor, {"t": wire.POLL, "wait": wait, "go": go, "now": self.clock.now})
        self.log.catch_up()  # while they answer
        # Waiting for a deadlock's last chance, an answer may come after the time limit: the
        # limit is then the scheduler's to enforce, saying what was still at work.
        answer_by = self.limit_at + wait + _ANSWER_GRACE if wait else None
        for actor in blocked:  # declaration order breaks ties
            actor.checked_at = self.changes
            message = self._receive(actor, answer_by)
            while message["t"] in wire.SIDE_MESSAGES:
                self._side_message(actor, message)
                message = self._receive(actor, answer_by)
            if message["t"] != wire.READY:  # told to go on if ready, it went on: it was ready
                self.processes.push_back(actor.name, message)
                message = {"ready": True}
            actor.working, actor.busy = message.get("working", ""), message.get("busy", False)
            if message["ready"]:
                actor.state = RESUMED if go else READY
                self.clock.clear_timeout(actor.name)
                runnable.append(actor)  # its wake is recorded when it goes on (run_turn)

    def _deliver_typed(self) -> None:
        for keys in self.controls.typed:
            self._typed.setdefault(keys.actor, []).append(keys)
        self.controls.typed.clear()
        for process, typed in list(self._typed.items()):
            reader = next((a for a in self._keyboard_readers() if a.process == process), None)
            if reader is None:
                continue  # typed ahead: kept until it reads
            text, end = "".join(keys.text for keys in typed), any(keys.end for keys in typed)
            self._send(reader, {"t": wire.KEYS, "text": text, "end": end})
            del self._typed[process]
            self.changes += 1

    def _keyboard_readers(self) -> list[ActorRecord]:
        return [a for a in self.actors if a.state == BLOCKED and a.blocked_on_keyboard]

    def let_real_time_pass(self, runnable: deque[ActorRecord]) -> bool:
        if not self.outside:
            return False
        coming = self.clock.next_at()
        if coming is None:
            return False  # nothing due: wait_for_people waits for them, if it comes to that
        until = time.perf_counter() + max(0.0, coming - self.clock.now)
        while time.perf_counter() < until:
            self.controls.wait(0.0)  # a stop is taken at once
            self._end_if_waited_too_long()
            self.wake_ready(runnable, min(_OUTSIDE_EVERY, max(0.0, until - time.perf_counter())))
            if runnable:
                return True
        return False

    def _end_if_waited_too_long(self) -> None:
        """The time limit, while the lab waits for programs outside it."""
        if time.perf_counter() >= self.limit_at:
            waiting = ", ".join(
                f"{a.name} in {a.blocked_op}()" for a in self.actors if a.state == BLOCKED
            )
            raise LabEnded(Outcome(TIMEOUT, _WAITED_OUTSIDE.format(self.time_limit, waiting)))

    def wait_for_people(self, blocked: list[ActorRecord], runnable: deque[ActorRecord]) -> bool:
        """Nothing in the lab can happen, but a person may type into a program that waits for
        its keyboard, or (``outside``) a program outside the lab may connect: wait for them."""
        typing = self.keyboard and bool(self._keyboard_readers())
        if not typing and not self.outside:
            return False
        while not runnable:
            if self.outside:  # the kernel, not a command, says when an outside program comes
                self.controls.wait(_OUTSIDE_EVERY)
                self._end_if_waited_too_long()
            else:
                self.limit_at += self.controls.await_typing()  # a person's time is not the lab's
            self._deliver_typed()
            self.wake_ready(runnable, _OUTSIDE_EVERY if self.outside else 0.0)
        return True

    def time_out(self, actor: ActorRecord) -> None:
        actor.state, actor.timed_out = READY, True
        idle = actor.timed_out_at == self.changes
        actor.idle_timeouts = actor.idle_timeouts + 1 if idle else 1
        actor.timed_out_at = self.changes
        if actor.idle_timeouts < _IDLE_TIMEOUTS or not self._left_alone():
            return
        # A program that only waits out timeouts, in a lab where nothing else can happen: by
        # hand it would loop until Ctrl-C (serve_forever, an accept loop with a timeout).
        if actor.stopped_in:  # given once already, and it went on: it is stopped
            self._stop_when_the_others_finished([a for a in self.actors if a.state != DONE])
        actor.interrupt, actor.timed_out = actor.blocked_op or "a wait", False
        actor.idle_timeouts = 0

    def _left_alone(self) -> bool:
        """Whether the programs still running are all that is left: another has finished, and
        no program outside the lab, no person, can take part."""
        finished = any(a.state == DONE and not a.owner for a in self.actors)
        running = [a for a in self.actors if a.state != DONE]
        programs = all(a.process in self.programs for a in running)
        return finished and programs and not self.outside and not self._keyboard_readers()

    def still_working(self, working: list[ActorRecord]) -> None:
        if time.perf_counter() >= self.limit_at:
            raise LabEnded(still_at_work([(a.name, a.working) for a in working], self.time_limit))

    def interrupt_waiting(self, blocked: list[ActorRecord], runnable: deque[ActorRecord]) -> bool:
        # Programs alone, one finished; not one waiting for input it was not given (that is
        # said, not Ctrl-C); with outside programs let in, the lab waits for them instead.
        if not self._left_alone():
            return False
        for actor in blocked:
            if not actor.owner and not actor.stopped_in:  # the main thread gets SIGINT, once
                actor.interrupt = actor.blocked_op or "a wait"
                actor.state = READY
                runnable.append(actor)
        return bool(runnable)

    def deadlock(self, blocked: list[ActorRecord]) -> NoReturn:
        finished = [a for a in self.actors if a.state == DONE and not a.owner]
        if finished and all(a.process in self.programs for a in blocked):
            self._stop_when_the_others_finished(blocked)
        report = deadlock_report(blocked, self._backlog)
        if all(actor.blocked_op == "accept" for actor in blocked) and not self.outside:
            report += (
                "; no actor of the lab is left to connect (to connect from outside the lab, "
                "nc or a client of your own, start it with --outside)"
            )
        self.log.record(ev.DEADLOCK, "", text=report)
        raise LabEnded(Outcome(DEADLOCK, f"{report}; nothing can happen any more"))

    def _stop_when_the_others_finished(self, blocked: list[ActorRecord]) -> NoReturn:
        """Programs still waiting after Ctrl-C (or threads left waiting by their program) once
        the others have finished are stopped: the lab has done what it can."""
        stopped = []
        for actor in blocked:
            if actor.owner:  # a thread ends with its program
                continue
            waiting = f"blocked in {actor.blocked_op}()" if actor.blocked_op else "waiting"
            waiting += " after Ctrl-C" if actor.stopped_in else ""
            actor.state = DONE
            self.log.record(ev.ACTOR_EXIT, actor.name, result="ok", extra={"stopped": waiting})
            stopped.append(f"{actor.name} ({waiting})")
        said = "still waiting when the others had finished, stopped: " + ", ".join(stopped)
        raise LabEnded(self.ending(said))

    def ending(self, said: str = "") -> Outcome:
        """How a lab that ran to its end ended: completed, unless a program raised."""
        given = [f"{a.name} (in {a.stopped_in}())" for a in self.actors if a.stopped_in]
        if given and not said:
            said = "stopped with Ctrl-C when the others had finished, as by hand: " + ", ".join(
                given
            )
        if self.outsiders:
            said = "; ".join(
                part for part in (said, _OUTSIDERS + ", ".join(self.outsiders)) if part
            )
        said = "; ".join(part for part in (said, *self.exited) if part)
        if self.crashed:
            return Outcome(CRASHED, "; ".join([*self.crashed, said] if said else self.crashed))
        return Outcome(COMPLETED, said or "every actor finished")

    # -- the actor that runs ------------------------------------------------------------------

    def run_turn(self, actor: ActorRecord) -> None:
        """Let one actor go until it blocks, gives way or ends."""
        interrupting = actor.state == READY and bool(actor.interrupt)
        if actor.state in (READY, RESUMED):
            # Recorded as it goes on, not when it was found ready: the last event then always
            # names the call the next step carries out (several may be ready at once).
            woke = "interrupted" if interrupting else "timeout" if actor.timed_out else "ready"
            self.log.record(ev.WAKE, actor.name, op=actor.blocked_op, result=woke)
        if actor.state == READY:  # resuming a blocked call is a step of its own
            self.log.new_step()
            self._await_grant()
            kind = wire.TIMEOUT if actor.timed_out else wire.GO
            if interrupting:
                kind, actor.stopped_in, actor.interrupt = wire.INTERRUPT, actor.interrupt, ""
            self._send(actor, {"t": kind, "now": self.clock.now})
        elif actor.state == RESUMED:  # it went on when it found itself ready
            self.log.new_step()
        else:  # fresh, or it gave way and goes on from where it was: no step of its own
            self._send(actor, {"t": wire.GO, "now": self.clock.now})
        actor.state, actor.timed_out = RUNNING, False
        self.clock.clear_timeout(actor.name)
        free = self.free
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
                actor.checked_at = self.changes
                self.log.record(ev.YIELD, actor.name, text=message.get("why", ""))
                return
            else:
                self._side_message(actor, message)

    def _begin_call(self, actor: ActorRecord, call: Message) -> None:
        if not call.get("compound"):  # a helper's steps are the calls inside it, numbered
            self.log.new_step()
        actor.calls.append(call)
        self.log.call(actor.name, call)

    def _end_call(self, actor: ActorRecord, kind: str, message: Message) -> None:
        call = actor.calls.pop() if actor.calls else {}
        actor.last_op = call.get("op", "")
        if message.get("errno") == "EADDRINUSE" and call.get("op") == "bind":
            held = _holders(message, call)
            message = {**message, "extra": {**message.get("extra", {}), **held}}
        for sock in (message.get("sock"), message.get("new_sock")):
            if sock and sock.get("local"):
                self._lab_ports.add(sock["local"][1])
        outsider = self._outsider(call.get("op", ""), kind, message)
        if outsider is not None:
            message = {**message, "extra": {**message.get("extra", {}), "outside": outsider[0]}}
        event = self.log.outcome(actor.name, kind, call, message)
        if outsider is not None:
            self._say_outside(actor, event, *outsider)
        elif self.outside and kind == ev.RETURN and event.op == "listen" and event.sock:
            self.log.record(
                ev.NOTE, actor.name, op="netlab", text=_listening(*event.sock.local[:2])
            )
        self.kernel_watch.after(event)
        extra = event.extra
        failed_midway = kind == ev.RAISE and event.op in calls.PARTIAL  # some of it may be done
        if (
            (kind == ev.RETURN or failed_midway)
            and event.op not in calls.INERT
            and "tx" not in extra
        ):
            self.changes += 1
        if "tx" in extra:
            self.traffic.transmit(actor.process, event, dict(extra))
        elif "deferred" in extra and event.sock is not None:
            self.traffic.close_behind(actor.process, event.sock.id, extra.get("how"))

    def _outsider(self, op: str, kind: str, message: Message) -> tuple[str, bool] | None:
        """The other end of a connection an actor accepted or made, when no traced call of
        the lab made it: ``name (pid N) at HOST:PORT`` and True for a program known to be
        outside the lab; ``HOST:PORT`` and False when its process is gone (it may have been a
        child an actor started, untraced). None for the lab's own connections."""
        if kind != ev.RETURN or op not in ("accept", "connect", "connect_ex"):
            return None
        sock = message.get("new_sock") if op == "accept" else message.get("sock")
        if not sock or sock.get("type") != "SOCK_STREAM" or not sock.get("peer"):
            return None
        (host, port), local = sock["peer"][:2], sock.get("local") or ["", 0]
        if port in self._lab_ports:
            return None  # a socket of an actor's
        # Asked of the kernel after the fact (running freely, the actor has gone on): the
        # program may have closed its end since. A connect is answered by a listener.
        owner = connection_owner(local[1], port) if op == "accept" else connection_owner(0, port)
        if owner is None:
            return (f"{host}:{port}", False) if op == "accept" else None
        if descends_from(owner[0], set(self._pids.values())):
            return None  # a child an actor started
        return f"{owner[1]} (pid {owner[0]}) at {host}:{port}", True

    def _say_outside(self, actor: ActorRecord, event: ev.Event, who: str, known: bool) -> None:
        made = event.new_sock if event.op == "accept" else event.sock
        sock = made.id if made else "a connection"
        if not known:
            text = (
                f"{sock} is connected to {who}, which no traced call of the lab made (a child "
                "an actor started, or a program outside the lab, gone by now): its side is "
                "not traced"
            )
            self.log.record(ev.NOTE, actor.name, op="netlab", text=text)
            return
        self.outsiders.append(who)
        text = f"{sock} is connected to {who}, outside the lab: its side is not traced, "
        text += "and what it does is not repeated when the lab runs again"
        if not self.outside:
            text += " (start the lab with --outside to let outside programs in on purpose)"
        self.log.record(ev.NOTE, actor.name, op="netlab", text=text)

    def _block(self, actor: ActorRecord, message: Message, new_call: Message | None) -> None:
        """The actor waits. Its events are recorded once the next actor has been asked to go
        on (see ``EventLog.later``): who goes next does not depend on them."""
        call = actor.last_call
        sock = call.get("sock")
        actor.state = BLOCKED
        if call.get("op") in calls.PARTIAL or call.get("partial"):  # bytes moved, or a SYN
            self.changes += 1
        actor.checked_at = self.changes  # it has just found itself not ready
        actor.blocked_op = call.get("op", "?")
        actor.blocked_sock = sock["id"] if sock else ""
        actor.blocked_on_keyboard = actor.blocked_op in calls.KEYBOARD_READS or bool(
            message.get("keyboard")
        )
        timeout = message.get("timeout")
        self.clock.set_timeout(actor.name, None if timeout is None else float(timeout))
        actor.busy = message.get("busy", False)

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
                extra={"keyboard": True} if message.get("keyboard") else {},
            )

        self.log.later(record)

    def _exit(self, actor: ActorRecord, message: Message) -> None:
        actor.state = DONE
        self.changes += 1  # its sockets are closed (a lane: a thread that may be joined)
        error = message.get("error")
        self.log.record(
            ev.ACTOR_EXIT,
            actor.name,
            result="error" if error else "ok",
            error=error,
            text=message.get("traceback", ""),
            extra={
                "closed": message.get("closed", []),
                "counters": message.get("counters", {}),
                **({"status": message["status"]} if "status" in message else {}),
                **({"stopped": f"Ctrl-C in {actor.stopped_in}()"} if actor.stopped_in else {}),
                **({"program": True} if actor.process in self.programs else {}),
            },
        )
        for sock_id in message.get("deferred", ()):
            self.traffic.close_behind(actor.name, sock_id)
        if actor.owner:  # a thread's error ends the thread, as by hand, not the lab
            return
        for lane in self.actors:  # what is left of its threads (daemons) ends with its process
            if lane.owner == actor.name and lane.state != DONE:
                lane.state = DONE
                self.clock.clear_timeout(lane.name)
        status = message.get("status")
        if status and not actor.stopped_in:  # sys.exit(n): said at the end, not a crash
            self.exited.append(f"{actor.name} exited with status {status}")
        if error and actor.process in self.programs:  # by hand the other programs go on
            self.crashed.append(f"{actor.name} raised {error}")
        elif error:
            raise LabEnded(Outcome(CRASHED, f"{actor.name} raised {error}"))

    def _start_lane(self, actor: ActorRecord, message: Message) -> None:
        """A thread of the actor started: a lane of its own, runnable from now."""
        lane = ActorRecord(message["lane"], len(self.actors), FRESH, owner=actor.process)
        self.actors.append(lane)
        self._started.append(lane)
        pid = self._pids.get(lane.owner)
        self.log.record(ev.ACTOR_START, lane.name, result=pid, extra={"thread_of": lane.owner})

    def _side_message(self, actor: ActorRecord, message: Message) -> None:
        kind = message["t"]
        if kind == wire.OUTPUT:
            partial = {"partial": True} if message.get("partial") else {}
            self.log.record(
                ev.OUTPUT, actor.name, op=message["stream"], text=message["text"], extra=partial
            )
        elif kind == wire.NOTE:
            self.log.record(ev.NOTE, actor.name, op="say", text=message["text"])
        elif kind == wire.ASK:
            extra = {key: message.get(key) for key in questions.EXTRA_KEYS}
            self.log.record(
                ev.NOTE, actor.name, op=questions.ASK, text=message["text"], extra=extra
            )
            if self.questions and self.controls.pacing.mode == PLAY:
                self.controls.pacing.mode = STEP  # stop before the call asked about
        elif kind == wire.LANE:
            self._start_lane(actor, message)
        elif kind == wire.EXIT:
            self._exit(actor, message)
        else:
            raise LabEnded(Outcome(CRASHED, f"{actor.name} sent an unexpected message {kind!r}"))

    def _exchange(self, actor: ActorRecord, message: Message) -> None:
        """Hand the actor what the link delivers (or ask it to flush) and hear how it went."""
        self._send(actor, message)
        reply = self._receive(actor)
        while reply["t"] != wire.DELIVERED:
            self._side_message(actor, reply)
            reply = self._receive(actor)
        if message["t"] == wire.DELIVER or reply.get("moved", True):
            self.changes += 1  # a flush that moved nothing changed nothing
        if reply["backlog"]:
            self._backlog[actor.name] = reply["backlog"]
        else:
            self._backlog.pop(actor.name, None)
        for error in reply.get("errors", ()):
            self.log.record(ev.LINK, actor.name, op="kernel", text=error, extra={"modelled": False})

    def _actor(self, name: str) -> ActorRecord:
        return next(actor for actor in self.actors if actor.name == name)

    # -- waiting ------------------------------------------------------------------------------

    def _await_grant(self) -> None:
        # Time spent waiting for the user does not count against the time limit.
        self.limit_at += self.controls.await_grant()

    def _send(self, actor: ActorRecord, message: Message) -> None:
        actor.heard_at = time.perf_counter()  # its time to answer starts now
        try:
            self.processes.send(actor.name, message)
        except ActorGone:
            self._lost(actor)

    def _receive(self, actor: ActorRecord, deadline: float | None = None) -> Message:
        """The actor's next message; ends the run on stop, time limit or a dead actor."""
        limit = self.limit_at if deadline is None else deadline
        if deadline is None and self.stall_limit is not None:
            limit = min(limit, actor.heard_at + self.stall_limit)
        try:
            message = self.processes.receive(actor.name, limit, spin=self.free)
        except ActorGone:
            self._lost(actor)
        if message is None:
            self._time_is_up(actor)
        actor.heard_at = time.perf_counter()
        if "released" in message:  # a lock another lane may wait for was released
            self.changes += 1
        return message

    def _time_is_up(self, actor: ActorRecord) -> NoReturn:
        if actor.state == STARTING:
            raise LabEnded(Outcome(CRASHED, f"{actor.name} did not start in time"))
        if actor.state != RUNNING:  # it was asked a question: the lab as a whole ran out of time
            doing = [
                f"{a.name} {a.state}" + (f" in {a.blocked_op}()" if a.state == BLOCKED else "")
                for a in self.actors
            ]
            raise LabEnded(time_is_up_between(doing, self.time_limit))
        silent_for = time.perf_counter() - actor.heard_at
        raise LabEnded(
            time_is_up(actor.name, actor.last_op, silent_for, self.time_limit, self.stall_limit)
        )

    def _lost(self, actor: ActorRecord) -> NoReturn:
        code = self.processes.exit_code(actor.name, timeout=1.0)
        how = containment.cpu_limit_said(code, self.limits) or process_ended(code)
        actor.state = DONE
        self.log.record(ev.ACTOR_EXIT, actor.name, result="error", error=f"the process {how}")
        raise LabEnded(Outcome(CRASHED, f"{actor.name}'s process {how} without a word"))


def _holders(message: Message, call: Message) -> dict[str, Any]:
    """For a bind refused with EADDRINUSE: who holds the port, asked of the kernel now."""
    sock = message.get("sock") or {}
    args = call.get("args") or []
    address = args[0] if args else None  # the address asked for (the socket has none yet)
    if not (isinstance(address, list) and len(address) >= 2 and isinstance(address[1], int)):
        return {}
    return {"held_by": port_holders(str(sock.get("type", "SOCK_STREAM")), address[1])}

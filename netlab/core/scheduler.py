"""Who runs next (DESIGN §2.2): the scheduling rules, at each decision point.

One actor runs at a time; so does one thread: each thread of an actor is a lane, scheduled as an
actor of its own (DESIGN §2.1), and "actor" below means either. The current actor keeps going
until it blocks, gives way or ends; then the next runnable actor goes, in the order actors
became runnable (ties broken by declaration order). What the link has due is delivered first. A
blocked actor becomes runnable when it finds its call can go on, or when its timeout passes.
When no actor can run, the virtual clock moves to the next delivery or timeout. An actor that
gave way because it polls (its wait found nothing new) cannot make progress without the clock
either, as long as nothing has changed since: when every actor that could run is such a poller,
the clock moves too (a real one would spend time polling). One that gave way after many calls
has work, and the clock waits for it. When nothing at all can happen, the lab has deadlocked.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

from netlab.core.clock import Clock

# An actor's states, as the scheduler sees them.
STARTING, FRESH, RUNNING, BLOCKED = "starting", "fresh", "running", "blocked"
READY = "ready"  # its blocked call can go on: the next step resumes it
RESUMED = "resumed"  # it went on by itself when it found its call could (running freely)
GAVE_WAY = "gave way"
DONE = "done"

# Before calling a deadlock, and while work outside the traced calls goes on, blocked actors
# are asked again and again whether their call can go on, each waiting this long (real
# seconds) for its socket to become ready.
DEADLOCK_GRACE = 0.05
# How far the virtual clock moves when the only actors that could run are polling with nothing
# changed, and nothing is due on the clock: a real poller's time passes too.
POLL_STEP = 0.001


@dataclass
class ActorRecord:
    """What the conductor knows of one actor."""

    name: str
    order: int  # in the scenario's declaration (lanes: in the order they started)
    state: str = STARTING
    owner: str = ""  # a lane: the actor whose thread it is
    blocked_op: str = ""  # the call it is blocked in
    blocked_sock: str = ""
    blocked_on_keyboard: bool = False  # its wait (a select, say) watches its keyboard too
    timed_out: bool = False
    calls: list[dict[str, Any]] = field(default_factory=list)  # under way; compound ones nest
    last_op: str = ""  # the last call it finished
    # The count of changes when it last found itself not ready (blocked), or polled (gave way).
    checked_at: int = -1
    polled: bool = False  # it gave way because it polls
    working: str = ""  # blocked, what its process still does besides (its threads, children)
    busy: bool = False  # blocked, but a thread or child of its process is running now
    heard_at: float = 0.0  # when its last message arrived (perf_counter)
    interrupt: str = ""  # the blocked call to give Ctrl-C in, when it next goes on (see Stage)
    idle_timeouts: int = 0  # its waits' timeouts in a row with nothing else happening between
    timed_out_at: int = -1  # the count of changes when its wait last timed out
    stopped_in: str = ""  # the call Ctrl-C was given in (once given, never again)

    @property
    def last_call(self) -> dict[str, Any]:
        return self.calls[-1] if self.calls else {}

    @property
    def process(self) -> str:
        """The actor whose process it runs in: its own name, or a lane's owner."""
        return self.owner or self.name


class Lab(Protocol):
    """What the scheduler asks of the conductor."""

    changes: int  # counts what may have made a blocked or polling actor able to go on

    def started(self) -> list[ActorRecord]:
        """The lanes started since last asked, in the order they started (each can run)."""

    def deliver_due(self) -> None:
        """Hand the kernels what the link has due by now."""

    def wake_ready(self, runnable: deque[ActorRecord], wait: float) -> None:
        """Ask the blocked actors whether their call can go on; the ready ones join
        ``runnable`` in declaration order. ``wait``: how long each may wait to be ready."""

    def time_out(self, actor: ActorRecord) -> None:
        """The actor's blocked call has reached its timeout on the virtual clock."""

    def let_real_time_pass(self, runnable: deque[ActorRecord]) -> bool:
        """Before the virtual clock jumps: where programs outside the lab take part, the time
        of the jump passes for real first (they live in real time), the blocked actors asked
        meanwhile; whether one became ready (it joins ``runnable``)."""

    def wait_for_people(self, blocked: list[ActorRecord], runnable: deque[ActorRecord]) -> bool:
        """Nothing in the lab can happen, but a person may type into a program waiting for its
        keyboard, or a program outside the lab may connect: wait until an actor is ready (it
        joins ``runnable``); False if nobody outside the lab can make one so."""

    def interrupt_waiting(self, blocked: list[ActorRecord], runnable: deque[ActorRecord]) -> bool:
        """Programs left waiting once the others have finished get Ctrl-C, as by hand: those
        that can go on (to raise KeyboardInterrupt) join ``runnable``; whether any did."""

    def deadlock(self, blocked: list[ActorRecord]) -> None:
        """Nothing can happen any more, these actors wait for ever: end the lab (does not
        return)."""

    def still_working(self, working: list[ActorRecord]) -> None:
        """Every actor is blocked, but these are still at work outside their traced calls:
        wait on, or end the lab if its time limit has come."""


class Scheduler:
    def __init__(self, actors: list[ActorRecord], clock: Clock, lab: Lab) -> None:
        self.actors = actors
        self.clock = clock
        self.lab = lab
        self.runnable: deque[ActorRecord] = deque(actors)
        self._polled_at = -1  # the count of changes when only pollers could run, nothing due

    def blocked(self) -> list[ActorRecord]:
        return [actor for actor in self.actors if actor.state == BLOCKED]

    def _idle(self, actor: ActorRecord) -> bool:
        """An actor that gave way polling, with nothing changed since: it would find the same."""
        return actor.state == GAVE_WAY and actor.polled and actor.checked_at == self.lab.changes

    def next(self, gave_way: ActorRecord | None) -> ActorRecord | None:
        """The actor to run next (``gave_way``: the one that just gave way, if it did); None
        when every actor has finished."""
        runnable = self.runnable
        runnable.extend(self.lab.started())  # they became runnable when they were started
        while True:
            self.lab.deliver_due()
            self.lab.wake_ready(runnable, 0.0)
            could_run = [*runnable, gave_way] if gave_way is not None else list(runnable)
            if could_run and not all(self._idle(actor) for actor in could_run):
                break
            busy = [actor for actor in self.blocked() if actor.busy]
            if busy:  # work outside the traced calls is going on: the clock waits for it
                self.lab.wake_ready(runnable, DEADLOCK_GRACE)
                if runnable:
                    break
                self.lab.still_working(busy)
                continue
            if self.lab.let_real_time_pass(runnable):  # an outside program may act meanwhile
                break
            fired = self.clock.advance()
            if fired is None:
                if could_run and self._polled_at == self.lab.changes:
                    # Pollers, polling again with nothing changed and nothing to come: time
                    # passes as they poll.
                    self.clock.now += POLL_STEP
                self._polled_at = self.lab.changes if could_run else -1
                break
            for actor in self.blocked():  # declaration order breaks ties
                if actor.name in fired:
                    self.lab.time_out(actor)
                    runnable.append(actor)
        if gave_way is not None:
            runnable.append(gave_way)
        if runnable:
            return runnable.popleft()
        blocked = self.blocked()
        if not blocked:
            return None
        # A deadlock, unless something is still at work outside the traced calls. Work seen in
        # one round may end (having made another actor ready) after that actor answered: only
        # a round after the last one that saw work can tell.
        worked = False
        while True:
            self.lab.wake_ready(runnable, DEADLOCK_GRACE)
            if runnable:
                return runnable.popleft()
            working = [actor for actor in blocked if actor.working]
            if not working and not worked:
                if self.lab.wait_for_people(blocked, runnable):
                    return runnable.popleft()
                if self.lab.interrupt_waiting(blocked, runnable):
                    return runnable.popleft()
                self.lab.deadlock(blocked)
                return None
            worked = bool(working)
            if working:
                self.lab.still_working(working)


def deadlock_report(blocked: list[ActorRecord], backlog: dict[str, int] | None = None) -> str:
    """Each blocked actor and the call it is stuck in, ``;`` between them."""
    backlog = backlog or {}
    return "; ".join(
        f"{actor.name} is blocked in {actor.blocked_op}()"
        + (f" on {actor.blocked_sock}" if actor.blocked_sock else "")
        + (f" with {backlog[actor.name]} bytes it cannot send" if actor.name in backlog else "")
        + (_NO_KEYBOARD.format(name=actor.process) if actor.blocked_on_keyboard else "")
        for actor in blocked
    )


_NO_KEYBOARD = (
    ", waiting for its keyboard, and nothing more was typed: give what it reads with "
    "--input {name}=TEXT or --input {name}=@FILE, or type it in the lab (netlab open)"
)

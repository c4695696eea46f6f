"""The conductor: runs one lab, sequencing its actors' calls (DESIGN §2.2).

A small core with collaborators, each in a module of its own:
- who runs next: :mod:`netlab.core.scheduler` (the scheduling rules, the deadlock);
- what is said to the actors and heard from them: :mod:`netlab.core.stage`;
- the virtual clock and what is due on it: :mod:`netlab.core.clock`;
- the actor processes, behind an interface: :mod:`netlab.core.processes`;
- step, play, pause and stop, from any thread: :mod:`netlab.core.controls`;
- the event log: :mod:`netlab.core.event_log` (and :mod:`netlab.core.kernel_watch`);
- the modelled link's traffic: :mod:`netlab.core.traffic`;
- how a lab ends: :mod:`netlab.core.outcomes`;
- what each call is: :mod:`netlab.core.calls`; the messages: :mod:`netlab.core.wire`.

Here: how a lab is set up, starts, runs from one decision point to the next, and ends.
Modes: ``step`` grants one step per :meth:`Conductor.step`; ``play`` grants steps at a pace;
``run`` lets the current actor go on without asking.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from typing import Any

from netlab.core import events as ev
from netlab.core import wire
from netlab.core.clock import Clock
from netlab.core.collector import collector_paused
from netlab.core.containment import Limits
from netlab.core.controls import MODES, PLAY, RUN, STEP, Controls, StopRequested
from netlab.core.event_log import EventLog
from netlab.core.events import Event
from netlab.core.kernel_watch import KernelWatch
from netlab.core.link import LinkModel, resolve_link
from netlab.core.outcomes import (
    COMPLETED,
    CRASHED,
    DEADLOCK,
    STOPPED,
    TIMEOUT,
    LabEnded,
    Outcome,
)
from netlab.core.ports import LOOPBACK, free_ports
from netlab.core.processes import Actors, ProcessActors
from netlab.core.scenario import LoadedScenario
from netlab.core.scheduler import (
    GAVE_WAY,
    ActorRecord,
    Scheduler,
)
from netlab.core.stage import Stage
from netlab.core.traffic import Traffic

__all__ = ["COMPLETED", "CRASHED", "DEADLOCK", "MODES", "PLAY", "RUN", "STEP", "STOPPED"]
__all__ += ["TIMEOUT", "Conductor", "InputError", "Outcome"]

# How long starting an actor process may take.
_START_TIMEOUT = 10.0


class InputError(ValueError):
    """Input given for an actor the lab does not have."""


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
        typed: Mapping[str, str] | None = None,
        keyboard: bool = False,
        outside: bool = False,
        limits: Limits | None = None,
        questions: bool = False,
        keep_events: bool = True,
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
        # ``keep_events`` False: the events are only passed to ``on_event`` (which writes them
        # to a file), so that a lab of a million steps does not hold them all.
        self.log = EventLog(self.clock, loaded.own_files, on_event, keep=keep_events)
        self.traffic = Traffic(LinkModel(self.link, self.seed), self.clock, self.log, self.link.rto)
        self.kernel_watch = KernelWatch(self.log, self.controls.pacing)
        # What each actor's keyboard gives (then the end of input); with ``keyboard`` a person
        # types into the others as the lab goes (``type``).
        self.typed = dict(typed or {})
        unknown = sorted(set(self.typed) - set(self.scenario.actor_names()))
        if unknown:
            names = ", ".join(self.scenario.actor_names())
            raise InputError(
                f"--input {unknown[0]}=...: no actor of that name (the actors: {names})"
            )
        self.keyboard = keyboard
        self.questions = questions  # a person answers ctx.ask(): playing stops at a question
        # Programs outside the lab may connect to its servers: a lone server waits for them.
        # Only on the perfect link: the link model schedules both ends, an outside one is not.
        if outside and not self.link.perfect:
            raise InputError(
                "--outside needs the perfect link: netlab's link model schedules both ends of "
                "a connection, and a program outside the lab is not scheduled"
            )
        self.outside = outside
        self.limits = limits or Limits()
        self.outcome: Outcome | None = None
        self.ports: list[int] = []
        self._make_actors = actors
        self._stage: Stage | None = None

    # -- what the lab is and has done ---------------------------------------------------------

    @property
    def events(self) -> list[Event]:
        if not self.log.keep:
            raise RuntimeError("this conductor keeps no events (keep_events=False)")
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

    def type(self, actor: str, text: str, end: bool = False) -> None:
        """Type ``text`` into the actor's keyboard (``end``: then Ctrl-D, the end of input)."""
        self.controls.type(actor, text, end)

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> Outcome:
        """Run the lab to its end (or until stopped) and return how it ended."""
        self.log.start_clock()
        # Running freely (headless), the collector is paused; stepping, the conductor shares
        # its process with the app, whose collector is not its to pause.
        with collector_paused() if self.mode == RUN else contextlib.nullcontext():
            return self._run()

    def _run(self) -> Outcome:
        try:
            try:
                stage = self._start_actors()
                scheduler = Scheduler(stage.actors, self.clock, stage)
                gave_way: ActorRecord | None = None
                while (actor := scheduler.next(gave_way)) is not None:
                    stage.run_turn(actor)
                    gave_way = actor if actor.state == GAVE_WAY else None
                outcome = stage.ending()
            except LabEnded as ended:
                outcome = ended.outcome
            except StopRequested:
                outcome = Outcome(STOPPED, "stopped")
            except KeyboardInterrupt:
                self._finish(Outcome(STOPPED, "interrupted"))
                raise
            self._finish(outcome)
            return outcome
        finally:
            if self._stage is not None:
                self._stage.processes.stop(self._stage.busy())
            self.controls.close()

    def _finish(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.log.record(ev.END, "", result=outcome.kind, text=outcome.message)

    def _start_actors(self) -> Stage:
        self.ports = free_ports(self.scenario.ports, self.host)
        stage = Stage(
            self._make_actors(self.controls),
            self.controls,
            self.clock,
            self.log,
            self.traffic,
            self.kernel_watch,
            time_limit=self.time_limit,
            stall_limit=self.stall_limit,
        )
        self._stage = stage  # stopped at the end, whatever happens from here
        stage.keyboard, stage.outside, stage.limits = self.keyboard, self.outside, self.limits
        stage.questions = self.questions
        stage.programs = {
            name for spec in self.scenario.actors if spec.program for name in spec.instance_names()
        }
        for name in self.scenario.actor_names():
            init = {
                "t": wire.INIT,
                "actor": name,
                "scenario": self.loaded.ref or str(self.loaded.path),
                "host": self.host,
                "ports": self.ports,
                "args": self.args,
                "free": self.mode == RUN,
                "modelled": not self.link.perfect,
                "outside": self.outside,
                "limits": {
                    "memory_mb": self.limits.memory_mb,
                    "cpu_seconds": self.limits.cpu_seconds,
                },
            }
            if name in self.typed:
                init["typed"] = self.typed[name]
            stage.start(name, init)
        stage.hear_hello(time.perf_counter() + _START_TIMEOUT)
        return stage

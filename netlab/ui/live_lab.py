"""A lab running now: the conductor in a thread of its own, real processes, stepped one call at
a time from the UI."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from netlab.core.conductor import PLAY, STEP, Conductor, InputError
from netlab.core.containment import Limits
from netlab.core.events import Event
from netlab.core.link import LinkError
from netlab.core.recording import lab_header, own_sources
from netlab.core.safe_text import visible
from netlab.core.scenario import LoadedScenario, ScenarioError, load_scenario
from netlab.ui.event_inbox import EventInbox
from netlab.ui.lab_source import CannotOpen, Every, LabInfo, LabSource, LabTraits

_FULL_SPEED = 0.0


class LiveLab:
    """A ``LabSource`` whose events come from the conductor's thread as the lab runs."""

    traits = LabTraits(runs_here=True, answers_at_once=False)

    def __init__(
        self,
        loaded: LoadedScenario,
        *,
        seed: int | None,
        link: str | None,
        args: dict[str, Any] | None = None,
        outside: bool = False,
        limits: Limits | None = None,
        questions: bool = False,
    ) -> None:
        self.loaded = loaded
        self._questions = questions
        self._outside, self._limits = outside, limits
        self._seed = seed
        self._link = link
        self._args = args
        self._inbox = EventInbox()
        self.failure = ""
        self.stored: Sequence[Event] | None = None  # the screen keeps the events
        self._playing = False
        self._thread: threading.Thread | None = None
        self.conductor = Conductor(  # may raise LinkError: before anything starts
            loaded,
            mode=STEP,
            seed=seed,
            link=link,
            args=args,
            # A lab in the UI may run as long as the user likes; an actor that loops without
            # a call for 10 s is stopped.
            time_limit=float("inf"),
            stall_limit=10.0,
            on_event=self._inbox.put,
            keep_events=False,  # the screen keeps them: twice would double a long lab's memory
            keyboard=True,  # a program that reads its keyboard waits for the user to type
            outside=outside,
            limits=limits,
            questions=questions,  # playing stops at a question: someone answers it
        )
        self.info = LabInfo(
            name=loaded.name,
            title=loaded.scenario.title,
            link=self.conductor.link.name,
            seed=self.conductor.seed,
            source=_read(loaded),
            file=loaded.path.name,
            others={k: v for k, v in own_sources(loaded).items() if k != loaded.path.name},
        )

    @classmethod
    def open(
        cls,
        ref: str,
        *,
        seed: int | None,
        link: str | None,
        args: dict[str, Any] | None = None,
        outside: bool = False,
        limits: Limits | None = None,
        questions: bool = False,
    ) -> LiveLab:
        """The scenario ``ref`` (a name or a path) loaded and ready to start."""
        try:
            loaded = load_scenario(ref)
            return cls(
                loaded,
                seed=seed,
                link=link,
                args=args,
                outside=outside,
                limits=limits,
                questions=questions,
            )
        except (ScenarioError, LinkError, InputError) as exc:
            raise CannotOpen(f"{visible(ref)} cannot be opened", str(exc)) from exc

    def recording_header(self) -> dict[str, Any]:
        """The header of this lab's recording (``netlab record`` keeps its events)."""
        more = {"outside": True} if self._outside else {}
        return lab_header(self.loaded, seed=self.conductor.seed, link=self.conductor.link, **more)

    def start(self, notify: Callable[[], object], every: Every) -> None:
        """The conductor keeps its own pace: ``every`` is not needed."""
        self._inbox.listen(notify)
        # A daemon thread: nothing of the lab may keep the program alive after the UI is gone.
        self._thread = threading.Thread(target=self._run, name="netlab-conductor", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.conductor.run()
        except Exception as exc:  # the run's end is an event; this is netlab's own failure
            self.failure = f"netlab failed: {type(exc).__name__}: {exc}"
            self._inbox.ring()

    def take(self) -> list[Event]:
        return self._inbox.take()

    def step(self) -> None:
        self.conductor.step()

    def play(self, pace: float) -> None:
        self._playing = True
        self.conductor.set_pace(pace)
        self.conductor.set_mode(PLAY)

    def pause(self) -> None:
        self._playing = False
        self.conductor.set_mode(STEP)

    def step_to_end(self) -> None:
        self.play(_FULL_SPEED)

    def stop(self) -> None:
        self._playing = False
        self._inbox.close()  # the conductor may wait for room in it
        self.conductor.stop()
        if self._thread is not None:
            self._thread.join(timeout=3.0)

    def type(self, actor: str, text: str, end: bool = False) -> bool:
        self.conductor.type(actor, text, end)
        return True

    def restarted(self) -> LabSource:
        """Loaded again from its file, so that a change made to it is seen."""
        return LiveLab.open(
            self.loaded.ref or str(self.loaded.path),
            seed=self._seed,
            link=self._link,
            args=self._args,
            outside=self._outside,
            limits=self._limits,
            questions=self._questions,
        )

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def finished(self) -> bool:
        return self.conductor.outcome is not None


def _read(loaded: LoadedScenario) -> str:
    try:
        return loaded.path.read_text(encoding="utf-8")
    except OSError:
        return ""

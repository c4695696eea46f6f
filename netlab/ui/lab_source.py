"""Where a lab's events come from: a live lab (the conductor in a thread of its own) or a
recording. The Lab screen asks for steps and receives events in batches; it never waits.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from netlab.core import events as ev
from netlab.core.conductor import PLAY, STEP, Conductor
from netlab.core.events import Event
from netlab.core.recording import Recording
from netlab.core.scenario import LoadedScenario


@dataclass(frozen=True)
class LabInfo:
    """What the header shows, and the scenario's source for the Code tab."""

    name: str
    title: str
    link: str
    seed: int
    source: str
    file: str


class LabSource:
    """A lab the screen can step through. ``notify`` is called (from any thread) when new
    events are waiting in ``take()``."""

    live = False

    def __init__(self, info: LabInfo) -> None:
        self.info = info
        self._pending: deque[Event] = deque()
        self._lock = threading.Lock()
        self._notify: Callable[[], None] = lambda: None
        self._notified = False
        self.failure = ""  # netlab's own error, if the lab could not go on

    def start(self, notify: Callable[[], None]) -> None:
        self._notify = notify

    def _deliver(self, event: Event) -> None:
        with self._lock:
            self._pending.append(event)
            if self._notified:
                return  # one message per batch: the screen takes everything waiting
            self._notified = True
        self._notify()

    def take(self) -> list[Event]:
        """Every event that arrived since the last call."""
        with self._lock:
            events = list(self._pending)
            self._pending.clear()
            self._notified = False
        return events

    def step(self) -> None: ...
    def play(self, pace: float) -> None: ...
    def pause(self) -> None: ...
    def stop(self) -> None: ...

    @property
    def finished(self) -> bool:
        return False


class LiveLab(LabSource):
    """A lab running now: real processes, stepped one call at a time."""

    live = True

    def __init__(self, loaded: LoadedScenario, *, seed: int | None, link: str | None) -> None:
        self.loaded = loaded
        self._seed = seed
        self._link = link
        self.conductor = self._new_conductor()  # may raise LinkError: before anything starts
        conductor = self.conductor
        super().__init__(
            LabInfo(
                name=loaded.name,
                title=loaded.scenario.title,
                link=conductor.link.name,
                seed=conductor.seed,
                source=_read(loaded),
                file=loaded.path.name,
            )
        )
        self._thread: threading.Thread | None = None

    def _new_conductor(self) -> Conductor:
        return Conductor(
            self.loaded,
            mode=STEP,
            seed=self._seed,
            link=self._link,
            # A lab in the UI may run as long as the user likes; an actor that loops without
            # a call for 10 s is stopped.
            time_limit=float("inf"),
            stall_limit=10.0,
            on_event=self._deliver,
        )

    def start(self, notify: Callable[[], None]) -> None:
        super().start(notify)
        # A daemon thread: nothing of the lab may keep the program alive after the UI is gone.
        self._thread = threading.Thread(target=self._run, name="netlab-conductor", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.conductor.run()
        except Exception as exc:  # the run's end is an event; this is netlab's own failure
            self.failure = f"netlab failed: {type(exc).__name__}: {exc}"
            self._notify()

    def step(self) -> None:
        self.conductor.step()

    def play(self, pace: float) -> None:
        self.conductor.set_pace(pace)
        self.conductor.set_mode(PLAY)

    def pause(self) -> None:
        self.conductor.set_mode(STEP)

    def stop(self) -> None:
        self.conductor.stop()
        if self._thread is not None:
            self._thread.join(timeout=3.0)

    @property
    def finished(self) -> bool:
        return self.conductor.outcome is not None


class RecordedLab(LabSource):
    """A recording, shown step by step without running anything."""

    def __init__(self, recording: Recording, name: str) -> None:
        header = recording.header
        link = header.get("link", "?")
        link_text = link.get("name", "?") if isinstance(link, dict) else str(link)
        super().__init__(
            LabInfo(
                name=str(header.get("scenario", name)),
                title=str(header.get("title", name)),
                link=link_text,
                seed=int(header["seed"]) if isinstance(header.get("seed"), int) else 0,
                source=str(header.get("source", "")),
                file=str(header.get("file", "")),
            )
        )
        self.recording = recording
        self._events = recording.events
        self._shown = 0
        self._playing = False

    def start(self, notify: Callable[[], None]) -> None:
        super().start(notify)
        self._reveal_until_next_outcome()

    def _reveal_until_next_outcome(self) -> None:
        """What a live lab shows between two steps: up to (not with) the next outcome."""
        while self._shown < len(self._events) and self._events[self._shown].kind not in (
            ev.OUTCOMES
        ):
            self._deliver(self._events[self._shown])
            self._shown += 1

    def step(self) -> None:
        if self._shown < len(self._events):
            self._deliver(self._events[self._shown])  # the outcome
            self._shown += 1
            self._reveal_until_next_outcome()

    def step_to_end(self) -> None:
        while self._shown < len(self._events):
            self._deliver(self._events[self._shown])
            self._shown += 1

    @property
    def finished(self) -> bool:
        return self._shown >= len(self._events)


def _read(loaded: LoadedScenario) -> str:
    try:
        return loaded.path.read_text(encoding="utf-8")
    except OSError:
        return ""

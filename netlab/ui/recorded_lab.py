"""A recording, shown step by step without running anything: what a live lab showed, in the
same order, at the pace the user asks for."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from netlab.core import events as ev
from netlab.core.events import Event
from netlab.core.recording import Recording, RecordingError
from netlab.ui.event_inbox import EventInbox
from netlab.ui.lab_source import Every, LabInfo, LabSource, LabTraits, Repeating

_SHORTEST_TICK = 0.01  # seconds: "full speed" for a recording played step by step
_WINDOW = 5_000  # events handed to the screen at once


class RecordedLab:
    """A ``LabSource`` that reveals a recording's events, one step at a time."""

    traits = LabTraits(runs_here=False, answers_at_once=True)

    def __init__(self, recording: Recording, name: str) -> None:
        header = recording.header
        link = header.get("link", "?")
        link_text = link.get("name", "?") if isinstance(link, dict) else str(link)
        self.info = LabInfo(
            name=str(header.get("scenario", name)),
            title=str(header.get("title", name)),
            link=link_text,
            seed=int(header["seed"]) if isinstance(header.get("seed"), int) else 0,
            source=str(header.get("source", "")),
            file=str(header.get("file", "")),
            origin="replay",
            others=_sources(header.get("sources")),
        )
        self.recording = recording
        self.stored: Sequence[Event] | None = recording.events
        self.failure = ""  # a recording was checked as it was read: nothing fails later
        self._name = name
        self._events = recording.events
        self._shown = 0  # events handed to the screen
        self._until = 0  # events revealed: handed over a window at a time
        self._inbox = EventInbox()
        self._every: Every | None = None
        self._ticks: Repeating | None = None

    def start(self, notify: Callable[[], object], every: Every) -> None:
        self._inbox.listen(notify)
        self._every = every
        self._reveal_until_next_outcome()

    def _reveal_until_next_outcome(self) -> None:
        """What a live lab shows between two steps: up to (not with) the next outcome."""
        events, until = self._events, self._until
        while until < len(events) and events[until].kind not in ev.OUTCOMES:
            until += 1
        self._reveal(until)

    def _reveal(self, until: int) -> None:
        self._until = until
        if self._shown < until:
            self._inbox.ring()

    def take(self) -> list[Event]:
        """The events revealed and not yet taken, a window at a time: going to the end of a
        long recording hands it over in pieces, and the screen answers keys between them."""
        stop = min(self._until, self._shown + _WINDOW)
        try:
            taken = list(self._events[self._shown : stop])
        except RecordingError as exc:  # a long recording changed since it was checked
            self.failure, self._until = str(exc), self._shown
            self._inbox.ring()
            return []
        self._shown = stop
        self._inbox.take()
        if self._shown < self._until:
            self._inbox.ring()  # the next window, once the screen has drawn this one
        return taken

    def step(self) -> None:
        if not self.finished:
            self._until += 1  # the outcome
            self._reveal_until_next_outcome()

    def play(self, pace: float) -> None:
        self.pause()
        if self._every is None:
            raise RuntimeError("a recording plays once started")
        self._ticks = self._every(max(pace, _SHORTEST_TICK), self._tick)

    def _tick(self) -> None:
        self.step()
        if self.finished:  # played to its end: it stops, and says so
            self.pause()
            self._inbox.ring()

    def pause(self) -> None:
        if self._ticks is not None:
            self._ticks.stop()
            self._ticks = None

    def step_to_end(self) -> None:
        self.pause()
        self._reveal(len(self._events))

    def stop(self) -> None:
        self.pause()

    def type(self, actor: str, text: str, end: bool = False) -> bool:
        return False  # what was typed then is in the recording

    def restarted(self) -> LabSource:
        return RecordedLab(self.recording, self._name)

    @property
    def playing(self) -> bool:
        return self._ticks is not None

    @property
    def finished(self) -> bool:
        return self._until >= len(self._events)


def _sources(value: object) -> dict[str, str]:
    """The programs' sources a recording carries (anything else in their place is ignored)."""
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}

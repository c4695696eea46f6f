"""Where a lab's events come from, as the Lab screen sees it: one interface that a lab running
now (``LiveLab``) and a recording (``RecordedLab``) both implement in full.

The screen asks for steps and receives events in batches; it never waits. What differs between
sources is said as data (``LabInfo``, ``LabTraits``), never by the screen asking which kind of
source it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from netlab.core.events import Event


@dataclass(frozen=True)
class LabInfo:
    """What the header shows, and the scenario's source for the Code tab."""

    name: str
    title: str
    link: str
    seed: int
    source: str
    file: str
    origin: str = ""  # said beside the mode in the header ("replay"); "" for a lab running now
    others: Mapping[str, str] = field(default_factory=dict)  # programs' sources, by file name

    @property
    def sources(self) -> dict[str, str]:
        """Every source the Code tab may show, by file name."""
        return {**self.others, self.file: self.source}


@dataclass(frozen=True)
class LabTraits:
    """What the screen may do with a source's lab beyond its events."""

    runs_here: bool
    """The lab's processes run on this machine now: at its latest step the kernel's socket
    tables can be read, the library files its calls name can be opened, and its log keeps the
    kernel's view from the start (a recording's log says whether it kept it)."""

    answers_at_once: bool
    """Events arrive within the call that asked for them (a step, a tick of play): the screen
    shows them at once. Otherwise they come from a thread as they happen, and the screen takes
    them in timed batches."""


class Repeating(Protocol):
    """A call repeated on the UI's clock, until stopped (a Textual ``Timer`` is one)."""

    def stop(self) -> None: ...


# Call ``callback`` every ``seconds`` on the UI's clock (``Screen.set_interval`` is one).
Every = Callable[[float, Callable[[], None]], Repeating]


class LabSource(Protocol):
    """A lab the screen can step through, play, and begin again."""

    info: LabInfo
    traits: LabTraits
    failure: str  # netlab's own error, if the lab could not go on; "" while all is well
    # The lab's events kept already, in order, if they are (a recording's): the screen reads
    # old events from there instead of keeping them again.
    stored: Sequence[Event] | None

    def start(self, notify: Callable[[], object], every: Every) -> None:
        """Begin. ``notify`` is called, from any thread, when events wait in ``take()`` or the
        source stopped playing on its own; ``every`` is the clock a source may play on."""

    def take(self) -> list[Event]:
        """Every event that arrived since the last call."""

    def step(self) -> None:
        """Carry out the next call."""

    def play(self, pace: float) -> None:
        """Step on, ``pace`` seconds a step (0: as fast as it can), until paused or ended."""

    def pause(self) -> None:
        """Stop playing; the step under way, if any, completes."""

    def step_to_end(self) -> None:
        """Every step left, as fast as the lab can: a recording is at its end at once, a lab
        running now plays on at full speed."""

    def stop(self) -> None:
        """End the lab for good, and everything it runs."""

    def type(self, actor: str, text: str, end: bool = False) -> bool:
        """Type ``text`` into the keyboard of the actor's program (``end``: then Ctrl-D, the
        end of its input); False where nothing can be typed (a recording)."""

    def restarted(self) -> LabSource:
        """The same lab again, not started, from its first step (``CannotOpen`` if it cannot
        be opened again)."""

    @property
    def playing(self) -> bool:
        """Whether it steps on its own now."""

    @property
    def finished(self) -> bool:
        """Whether it has nothing more to show."""


class CannotOpen(Exception):
    """A lab that cannot be opened: ``title`` says which, the message says why."""

    def __init__(self, title: str, reason: str) -> None:
        super().__init__(reason)
        self.title = title

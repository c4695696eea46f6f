"""The trace: one row per step (and per thing said, printed or decided on the link), drawn line
by line so that a log of any length costs only the rows on screen."""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from netlab.core import events as ev
from netlab.core.describe import call_text, event_text
from netlab.core.events import Event
from netlab.core.safe_text import visible
from netlab.ui.text import fit_name

# Events that are not rows: a call shows as its outcome (or as the pending next step); the
# deadlock report is the last row, the end; the kernel's view shows in the panels and its tab.
_HIDDEN = {ev.ACTOR_START, ev.DEADLOCK, ev.KERNEL}

_STYLES = {
    ev.RETURN: "",
    ev.BLOCK: "yellow",
    ev.RAISE: "bold red",
    ev.WAKE: "dim",
    ev.OUTPUT: "cyan",
    ev.NOTE: "italic green",
    ev.LINK: "magenta",
    ev.ACTOR_EXIT: "bold",
    ev.DEADLOCK: "bold red",
    ev.END: "bold",
    ev.CALL: "bold blue",
}


@dataclass(frozen=True)
class TraceFilter:
    """Which rows to show: actors and kinds (empty: all)."""

    actors: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()

    unknown: tuple[str, ...] = ()  # words that named neither an actor nor a kind

    @classmethod
    def parse(cls, text: str, actors: list[str]) -> TraceFilter:
        """Words are actor names or kinds, each by its beginning: ``client-1 rai`` shows
        client-1's errors; ``client`` shows every client; ``error`` means ``raise``."""
        chosen_actors, chosen_kinds, unknown = set(), set(), []
        for word in text.lower().split():
            if word in ("error", "errors", "err"):
                chosen_kinds.add(ev.RAISE)
                continue
            kinds = [kind for kind in ev.KINDS if kind.startswith(word)]
            if word in ev.KINDS:
                kinds = [word]
            matches = [name for name in actors if name.lower().startswith(word)]
            if not kinds and not matches:
                unknown.append(word)
            chosen_kinds.update(kinds)
            chosen_actors.update(matches)
        return cls(frozenset(chosen_actors), frozenset(chosen_kinds), tuple(unknown))

    def admits(self, event: Event) -> bool:
        return self.admits_actor(event.actor) and (not self.kinds or event.kind in self.kinds)

    def admits_actor(self, actor: str) -> bool:
        """Whether the actor's rows may be shown (a lab-wide row, of no actor, always is)."""
        return not (self.actors and actor and actor not in self.actors)

    def describe(self) -> str:
        parts = sorted(self.actors) + sorted(self.kinds)
        return " ".join(parts) if parts else "everything"


def is_row(event: Event) -> bool:
    if event.kind in _HIDDEN:
        return event.kind == ev.ACTOR_START and "thread_of" in event.extra  # a thread began
    if event.kind == ev.CALL:
        return bool(event.extra.get("compound"))
    return True


_KIND_NUMBERS = {kind: number for number, kind in enumerate(sorted(ev.KINDS))}


class Shown(Sequence[Event]):
    """The rows a filter admits, as their events' numbers: their events are read from the log
    only when drawn (a log of a million rows costs four bytes a row)."""

    def __init__(self, events: Sequence[Event], width: int) -> None:
        self.seqs = array("I")
        self.width = width  # of the actor column: the longest name admitted, up to 12
        self._events = events

    def __len__(self) -> int:
        return len(self.seqs)

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...
    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        if isinstance(index, slice):
            return [self._events[seq - 1] for seq in self.seqs[index]]
        return self._events[self.seqs[index] - 1]


class TraceRows:
    """Every row of a lab's trace, its kind and actor kept as small numbers beside its event's
    number: a filter chosen anew is applied to a log of any length without reading it back."""

    def __init__(self, events: Sequence[Event]) -> None:
        self._events = events
        self._seqs = array("I")
        self._kinds = array("B")
        self._actors = array("I")
        self._names: dict[str, int] = {}
        self.filter = TraceFilter()
        self.shown = Shown(events, 1)

    def add(self, event: Event) -> None:
        if not is_row(event):
            return
        actor = self._names.setdefault(event.actor, len(self._names))
        self._seqs.append(event.seq)
        self._kinds.append(_KIND_NUMBERS[event.kind])
        self._actors.append(actor)
        if self.filter.admits(event):
            self.shown.seqs.append(event.seq)
            self.shown.width = max(self.shown.width, min(12, len(event.actor)))

    def choose(self, chosen: TraceFilter) -> Shown:
        """The rows ``chosen`` admits, from now on."""
        self.filter = chosen
        names = [name for name in self._names if chosen.admits_actor(name)]
        actors = {self._names[name] for name in names}
        kinds = {_KIND_NUMBERS[kind] for kind in chosen.kinds or ev.KINDS}
        self.shown = Shown(self._events, max([1, *(min(12, len(name)) for name in names)]))
        self.shown.seqs = array(
            "I",
            (
                seq
                for seq, kind, actor in zip(self._seqs, self._kinds, self._actors, strict=True)
                if kind in kinds and actor in actors
            ),
        )
        return self.shown


class TraceView(ScrollView, can_focus=True):
    """Rows of the trace; the cursor selects the step every other view shows."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Previous row", show=False),
        Binding("down", "cursor(1)", "Next row", show=False),
        Binding("pageup", "cursor(-10)", "Page up", show=False),
        Binding("pagedown", "cursor(10)", "Page down", show=False),
        Binding("home", "first", "First row", show=False),
        Binding("end", "last", "Last row (follow)", show=False),
    ]

    class Selected(Message):
        """The user moved the cursor to a row: show the lab as it was after ``seq`` events."""

        def __init__(self, seq: int, follow: bool) -> None:
            super().__init__()
            self.seq = seq
            self.follow = follow

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: Shown = Shown([], 1)
        self.cursor = -1
        self.pending: Event | None = None  # the call the next step will carry out

    def set_rows(self, rows: Shown, *, follow: bool, pending: Event | None) -> None:
        """Replace the rows; with ``follow`` the cursor goes to the last one."""
        self.rows = rows
        self.pending = pending
        if follow or self.cursor >= len(rows):
            self.cursor = len(rows) - 1
        self.virtual_size = Size(self.size.width, len(rows) + (1 if pending else 0))
        if follow:  # once the new size is laid out, the last row (and the next step) in view
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True)
        self.refresh()

    def select_seq(self, seq: int) -> None:
        """Put the cursor on the last row at or before event ``seq``."""
        self.cursor = bisect.bisect_right(self.rows.seqs, seq) - 1
        self.scroll_to_region_of_cursor()
        self.refresh()

    def scroll_to_region_of_cursor(self) -> None:
        if self.cursor >= 0:
            top = self.scroll_offset.y
            height = max(1, self.size.height)
            if self.cursor < top:
                self.scroll_to(y=self.cursor, animate=False, immediate=True)
            elif self.cursor >= top + height:
                self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        if not self.rows:
            return
        self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))
        self._announce()

    def action_first(self) -> None:
        if self.rows:
            self.cursor = 0
            self._announce()

    def action_last(self) -> None:
        if self.rows:
            self.cursor = len(self.rows) - 1
            self._announce()

    def on_click(self, event: events.Click) -> None:
        """A click chooses the row under the pointer (the keys do the same)."""
        index = event.y + self.scroll_offset.y
        if 0 <= index < len(self.rows):
            self.cursor = index
            self._announce()

    def _announce(self) -> None:
        self.scroll_to_region_of_cursor()
        self.refresh()
        seq = self.rows.seqs[self.cursor]
        self.post_message(self.Selected(seq, follow=self.cursor == len(self.rows) - 1))

    def row_text(self, event: Event) -> Text:
        is_step = event.kind in ev.OUTCOMES and not event.extra.get("compound")
        step = f"{event.step:>4}" if is_step else "    "
        mark = {ev.BLOCK: "⏸", ev.RAISE: "✗", ev.WAKE: "▸", ev.LINK: "~"}.get(event.kind, " ")
        actor = fit_name(visible(event.actor), self.rows.width)
        text = Text(f"{step} {mark} {actor} ", style="dim" if not is_step else "")
        if event.kind == ev.RAISE and event.errno:
            # The errno name first: it is what to look up, and it must survive a narrow screen.
            text.append(f"{call_text(event)} -> ")
            text.append(visible(event.errno), style="bold red")
            kind = visible((event.error or "").split(":")[0])
            text.append(f" ({kind})" if kind else "", style="red")
            return text
        text.append(event_text(event), style=_STYLES.get(event.kind, ""))
        return text

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = y + scroll_y
        width = self.size.width
        base = self.rich_style
        if index < len(self.rows):
            text = self.row_text(self.rows[index])
            if index == self.cursor:
                text.stylize(Style(reverse=True))
        elif index == len(self.rows) and self.pending is not None:
            text = Text(f"  next ▶ {self.pending.actor}: ", style="bold")
            text.append(event_text(self.pending).removesuffix(" ..."), style="bold blue")
            text.append("   (Space runs it)", style="dim")
        else:
            return Strip.blank(width, base)
        segments = list(text.render(self.app.console))
        strip = Strip(Segment.apply_style(segments, base), text.cell_len)
        return strip.crop(scroll_x, scroll_x + width).extend_cell_length(width, base)

"""The Lab screen: a lab stepped one call at a time, every view computed from the event log."""

from __future__ import annotations

import asyncio
import functools
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static, TabbedContent, TabPane

from netlab.core import events as ev
from netlab.core.analysis import analyse
from netlab.core.describe import event_text
from netlab.core.event_store import EventStore
from netlab.core.events import Event
from netlab.core.kernel_view import KernelTable
from netlab.core.ladder import OUTSIDE, rungs
from netlab.core.progress import Progress
from netlab.core.reducer import BLOCKED, LabState, Timeline
from netlab.core.safe_text import visible
from netlab.core.tcp_states import History, Position, history, position
from netlab.ui.lab_source import LabSource
from netlab.ui.predictions import Asked, Predictions, Reveal
from netlab.ui.screens.lesson import LessonScreen, lesson_of
from netlab.ui.screens.question import QuestionScreen, RevealScreen
from netlab.ui.screenshots import save_svg
from netlab.ui.session import SessionLog
from netlab.ui.widgets import details
from netlab.ui.widgets.actor_panel import ActorPanel, KernelLookup
from netlab.ui.widgets.footer import Footer
from netlab.ui.widgets.keyboard_input import KeyboardInput
from netlab.ui.widgets.lab_header import LabHeader
from netlab.ui.widgets.ladder_view import LadderView
from netlab.ui.widgets.states_view import states
from netlab.ui.widgets.status_line import StatusLine
from netlab.ui.widgets.trace_view import Shown, TraceFilter, TraceRows, TraceView, is_row

PACES = (2.0, 1.0, 0.5, 0.25, 0.1, 0.03, 0.0)  # seconds between steps when playing
DEFAULT_PACE = 3
# Views that read the whole log are redrawn at most this often while a lab plays.
_HEAVY_EVERY = 0.5
_LADDER_WINDOW = 3000  # events the ladder looks back over
# Past this many events, views that read the whole log are drawn by a worker thread.
_LONG_LOG = 100_000
_BATCH_EVERY = 0.04  # seconds between two batches of events taken in
_KERNEL_EVERY = 0.2  # seconds between two reads of the kernel's socket tables

MIN_SIZE = (80, 24)  # the size the lab is laid out for: below it, the status line says so
TABS = ("trace", "code", "strace", "kernel", "bytes", "why", "ladder", "flows", "states")


# + and − share one place in the footer, so that every key fits in 80 columns.
_SPEED = Binding.Group("Speed", compact=True)


class EventsArrived(Message):
    """New events wait in the lab source (posted from the conductor's thread)."""


class HeavyDrawn(Message):
    """A view drawn by a worker thread from a long log: ``tab`` at ``count`` events."""

    def __init__(self, tab: str, count: int, drawn: RenderableType) -> None:
        super().__init__()
        self.tab, self.count, self.drawn = tab, count, drawn


class LabScreen(Screen[None]):
    class RestartAsked(Message):
        """The user asked for this lab again, from its first step: the app replaces the
        screen."""

        def __init__(self, lab: LabScreen) -> None:
            super().__init__()
            self.lab = lab

    BINDINGS = [
        Binding("space", "step", "Step", id="lab.step", tooltip="Carry out the next call"),
        Binding("p", "play", "Play", id="lab.play", tooltip="Step on their own, or stop"),
        Binding(
            "plus,equals_sign", "faster", "Faster", key_display="+", id="lab.faster", group=_SPEED
        ),
        Binding("minus", "slower", "Slower", key_display="−", id="lab.slower", group=_SPEED),
        Binding("b", "back", "Back", id="lab.back", tooltip="Show the lab one step earlier"),
        Binding("f", "forward", "Forward", id="lab.forward", show=False),
        Binding("i", "type_line", "Type", id="lab.type", show=False),
        Binding("l", "lesson", "Lesson", id="lab.lesson", show=False),
        Binding("e", "to_end", "To the end", id="lab.end", show=False),
        Binding("r", "restart", "Restart", id="lab.restart"),
        Binding("slash", "filter", "Filter", key_display="/", id="lab.filter"),
        Binding("s", "screenshot", "Shot", id="lab.screenshot", tooltip="Save an SVG screenshot"),
        Binding("question_mark", "help", "Help", key_display="?", id="lab.help"),
        Binding("q", "quit_lab", "Quit", id="lab.quit"),
        Binding("h", "home", "Home", id="lab.home", show=False, tooltip="Back to the scenarios"),
        Binding("escape", "close_filter", "Close filter", show=False),
        # The trace's own keys choose the step from every tab (the trace has them when focused).
        *(
            Binding(key, action, show=False)
            for key, action in (
                ("up", "trace_cursor(-1)"),
                ("down", "trace_cursor(1)"),
                ("pageup", "trace_cursor(-10)"),
                ("pagedown", "trace_cursor(10)"),
                ("home", "trace_first"),
                ("end", "trace_last"),
                # The text of a tab (Why, Kernel, Delivery...) longer than its pane scrolls.
                ("shift+up", "scroll_tab(-1)"),
                ("shift+down", "scroll_tab(1)"),
                ("shift+pageup", "scroll_tab(-10)"),
                ("shift+pagedown", "scroll_tab(10)"),
            )
        ),
        *(
            Binding(
                str(number), f"tab('{name}')", name.capitalize(), show=False, id=f"lab.tab.{name}"
            )
            for number, name in enumerate(TABS, start=1)
        ),
    ]

    def __init__(
        self,
        source: LabSource,
        *,
        session: SessionLog | None = None,
        autoplay: float | None = None,
        questions: bool = False,
        progress: Progress | None = None,
    ) -> None:
        super().__init__()
        self.source = source
        self.session = session
        self.autoplay = autoplay
        self.questions = questions and autoplay is None  # a demo has nobody to answer
        self.progress = progress  # where answers and finished lessons are kept
        self.predictions = Predictions()
        self._questions_seen = 0  # a question's number in the lesson: how its answer is kept
        self._modals: deque[tuple[ModalScreen[Any], Callable[[Any], None] | None]] = deque()
        self._modal_open = False
        # The lab's events: the latest in memory, the rest on disk (a recording's stay in it).
        self.timeline = Timeline(store=EventStore(behind=source.stored))
        self.trace_rows = TraceRows(self.timeline.events)
        self.view: int | None = None  # events shown; None: follow the latest
        self.chosen: int | None = None  # the seq of the row chosen in the past (None: the last)
        self.playing = False
        self.pace_index = DEFAULT_PACE
        self._heavy_at = 0.0
        self._heavy_shown: tuple[str, int] | None = None  # a long log's view drawn last
        self._heavy_busy = False  # a worker draws one
        self._heavy_again = False  # asked for another meanwhile
        self._actor_names: list[str] = []
        self._announced_end = False
        self._take_scheduled = False
        self._told_failure = False
        self._told_finished = False
        self._kernel: KernelTable | None = None
        self._kernel_kept = source.traits.runs_here  # whether the log has the kernel's view
        self._leaving = False  # set once the screen is being replaced or closed
        self._kernel_at = 0.0
        self.told: list[tuple[SeverityLevel, str]] = []  # what the status line said, in order
        self._unsaid: tuple[str, SeverityLevel, float] | None = None

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield LabHeader()
        yield Container(id="actors")
        yield Static(details.NOTHING, id="headline", markup=False)
        with TabbedContent(id="tabs", initial="trace"):
            with TabPane("Trace", id="trace"):
                yield TraceView(id="trace-view")
            for name in TABS[1:]:
                label = {"why": "Why", "flows": "Delivery", "strace": "strace"}.get(
                    name, name.capitalize()
                )
                with TabPane(label, id=name):
                    if name == "ladder":
                        yield LadderView(id="ladder-view")
                    else:
                        # Not focusable: the arrow keys choose the step on every tab.
                        with VerticalScroll(can_focus=False):
                            yield Static("", id=f"{name}-view", markup=False)
        yield StatusLine(id="status")
        yield Input(
            placeholder="filter: actor names and kinds (raise, link, output...)", id="filter"
        )
        yield KeyboardInput(id="keyboard")
        yield Footer(compact=True, show_command_palette=False)  # ^p is in the help

    def say(
        self, message: str, severity: SeverityLevel = "information", timeout: float = 5
    ) -> None:
        """Tell the user something in passing, on the status line (one message at a time)."""
        self.told.append((severity, message))
        lines = self.query(StatusLine)
        if lines:
            lines.first().say(message, severity, timeout)
        else:  # said as the screen opens: shown once it is there
            self._unsaid = (message, severity, timeout)

    def on_mount(self) -> None:
        if self._unsaid is not None:
            self.query_one(StatusLine).say(*self._unsaid)
        self.query_one("#filter", Input).display = False
        self.query_one(KeyboardInput).display = False
        self.query_one(TraceView).focus()
        self.source.start(lambda: self.post_message(EventsArrived()), self.set_interval)
        self._refresh_views()
        if self.questions and lesson_of(self.source.info.source)[1]:
            self.action_lesson()  # a lesson opens with what it is about
        autoplay = self.autoplay
        if autoplay is not None:  # a demo: play at this pace, and leave at the end
            self.pace_index = min(range(len(PACES)), key=lambda i: abs(PACES[i] - autoplay))
            self.playing = True
            self._apply_pace()

    def on_unmount(self) -> None:
        self._leaving = True
        self.source.stop()
        self.timeline.events.close()

    @property
    def rows(self) -> Shown:
        """The trace's rows, as the filter chose them."""
        return self.trace_rows.shown

    @property
    def filter(self) -> TraceFilter:
        return self.trace_rows.filter

    def on_resize(self) -> None:
        self.set_class(self.size.height >= 36, "-tall")
        self._layout_actors()
        width, height = self.size
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        self.query_one(StatusLine).keep(
            "size",
            f"window {width}×{height}, made for {MIN_SIZE[0]}×{MIN_SIZE[1]}: ? Help, q Quit"
            if small
            else "",
        )

    def _layout_actors(self) -> None:
        """Actor panels side by side while they fit, else in rows: none is ever cut off."""
        count = max(1, len(self._actor_names))
        columns = max(1, min(count, self.size.width // 20))
        rows = -(-count // columns)
        tall = self.size.height >= 36
        per_row = (10 if tall else 8) if rows == 1 else (6 if tall else 4)
        actors = self.query_one("#actors")
        actors.styles.grid_size_columns = columns
        actors.styles.grid_size_rows = rows
        actors.styles.height = min(per_row * rows, max(4, self.size.height // 2))

    # -- events in --------------------------------------------------------------------------

    @on(EventsArrived)
    async def _events_waiting(self) -> None:
        """Take events at most every _BATCH_EVERY seconds: the UI stays light, and a lab
        that plays at full speed is not slowed down by drawing every single step."""
        if self.source.traits.answers_at_once:  # what the user asked for, shown at once
            # Its turn first: a long recording comes a window at a time, each window ringing
            # for the next, and the screen's queue, never empty, would keep the loop to itself.
            await asyncio.sleep(0)
            self.take_events()
        elif not self._take_scheduled:
            self._take_scheduled = True
            self.set_timer(_BATCH_EVERY, self.take_events)

    def take_events(self) -> None:
        """Fold the events waiting in the source into the views."""
        self._take_scheduled = False
        if self._leaving or not self.is_attached:
            return  # a batch that arrived as the screen was being replaced or closed
        if self.source.failure and not self._told_failure:
            self._told_failure = True
            self.notify(visible(self.source.failure), severity="error", timeout=30, markup=False)
        batch = self.source.take()
        if batch:
            self._fold_in(batch)
        stopped = self.playing and not self.source.playing
        if stopped:  # it played to its end (a recording that stops before the lab's end)
            self._stop_playing()
            self._leave_after_demo()
        if batch or stopped:
            self._refresh_views()

    def _fold_in(self, batch: list[Event]) -> None:
        self.timeline.extend(batch)
        if self.session is not None:
            self.session.write(batch)
        for event in batch:
            self.trace_rows.add(event)
        if not self._kernel_kept:  # a lab that ran freely (netlab run) did not keep it
            self._kernel_kept = any(event.kind == ev.KERNEL for event in batch)
        for event in batch:
            if self.questions:
                self._follow_question(event)
            if event.kind == ev.ACTOR_START and event.actor not in self._actor_names:
                self._actor_names.append(event.actor)
                self.query_one("#actors").mount(ActorPanel(event.actor))
                self._layout_actors()
            if event.kind == ev.END and not self._announced_end:
                self._announced_end = True
                self._stop_playing()
                self._leave_after_demo()
                severity: SeverityLevel = (
                    "information" if event.result == "completed" else "warning"
                )
                message = visible(f"{event.result}: {event.text}")[:300]
                self.notify(message, severity=severity, markup=False)
                if self.progress is not None and self.source.traits.runs_here:
                    self.progress.finished(self.source.info.name)

    # -- predict, then see ------------------------------------------------------------------

    def _follow_question(self, event: Event) -> None:
        self._reveal(self.predictions.see(event))
        while self.predictions.to_ask:
            asked = self.predictions.to_ask.popleft()
            self._questions_seen += 1
            number = self._questions_seen
            question = QuestionScreen(asked.actor, asked.question)
            self._show(question, functools.partial(self._answered, asked, number))
            if self.playing:
                self._stop_playing()  # stepping stops before the call asked about

    def _answered(self, asked: Asked, number: int, chosen: str | None) -> None:
        # Kept for a lab run here: a recording's lesson names and questions are its own.
        if chosen is not None and self.progress is not None and self.source.traits.runs_here:
            right = chosen == asked.question.answer
            self.progress.answered(self.source.info.name, number, right)
        self._reveal(self.predictions.answered(asked, chosen))

    def _reveal(self, reveals: list[Reveal]) -> None:
        if reveals and self.playing:
            self._stop_playing()  # the lab waits while the learner reads
        for reveal in reversed(reveals):  # each before the questions still waiting
            outcome = reveal.outcome
            happened = f"{outcome.actor} at {outcome.vtime:.3f}s: {event_text(outcome)}"
            self._show(RevealScreen(reveal.question, reveal.chosen, happened), first=True)

    def _show(
        self,
        screen: ModalScreen[Any],
        then: Callable[[Any], None] | None = None,
        *,
        first: bool = False,
    ) -> None:
        """A lesson's card, question or answer: one at a time, in the order they came (an
        answer before the questions that wait)."""
        item = (screen, then)
        self._modals.appendleft(item) if first else self._modals.append(item)
        self._show_next()

    def _show_next(self) -> None:
        if self._modal_open or not self._modals or self._leaving:
            return
        screen, then = self._modals.popleft()
        self._modal_open = True

        def closed(result: Any) -> None:
            self._modal_open = False
            if then is not None:
                then(result)
            self._show_next()

        self.app.push_screen(screen, callback=closed)

    def _leave_after_demo(self) -> None:
        """A demo (``--autoplay``) leaves a moment after its lab has ended."""
        if self.autoplay is not None:
            self.set_timer(max(0.5, 2 * self.autoplay), self.app.exit)

    # -- what is shown ----------------------------------------------------------------------

    def _count(self) -> int:
        return len(self.timeline.events) if self.view is None else self.view

    def selected_event(self) -> Event | None:
        """What the details show: the row chosen in the trace, or (following the lab) the
        last step taken."""
        events = self.timeline.events
        if self.view is not None and self.chosen is not None and self.chosen <= len(events):
            return events[self.chosen - 1]
        if self.view is not None:  # by index: no copy of a long log
            return next(
                (
                    events[i]
                    for i in range(min(self.view, len(events)) - 1, -1, -1)
                    if is_row(events[i])
                ),
                None,
            )
        for event in reversed(events):
            if event.kind == ev.END or (
                event.kind in ev.OUTCOMES and not event.extra.get("compound")
            ):
                return event
        return None

    def _kernel_now(self) -> KernelTable:
        """The kernel's sockets now; while the lab plays, read at most every _KERNEL_EVERY s
        (it would ask at every batch)."""
        now = time.monotonic()
        stale = not self.playing or now - self._kernel_at >= _KERNEL_EVERY
        if self._kernel is None or stale:
            self._kernel, self._kernel_at = KernelTable.read(), now
        return self._kernel

    def _kernel_table(self) -> KernelTable | None:
        """The kernel's sockets read now, at a live lab's latest step; None elsewhere."""
        here = self.source.traits.runs_here
        return self._kernel_now() if here and self.view is None else None

    def _kernel_lookup(self, state: LabState) -> KernelLookup | None:
        """The kernel's sockets: read now at a live lab's latest step, else as recorded."""
        table = self._kernel_table()
        if table is not None:
            return lambda sock: table.find(sock.type, sock.local, sock.peer)
        recorded = state.kernel
        if recorded is not None:
            return lambda sock: recorded.get(sock.id)
        return None

    def _steps_done(self, count: int) -> int:
        """Steps taken in the first ``count`` events (a call announced is not taken yet)."""
        events = self.timeline.events
        for index in range(min(count, len(events)) - 1, -1, -1):
            event = events[index]
            if event.kind in ev.OUTCOMES and not event.extra.get("compound"):
                return event.step
        return 0

    def _pending(self, state: LabState) -> Event | None:
        """The call the next step carries out (following the latest only)."""
        if self.view is not None or not self.timeline.events:
            return None
        last = self.timeline.events[-1]
        if last.kind == ev.CALL and not last.extra.get("compound"):
            return last
        if last.kind == ev.WAKE:
            actor = state.actors.get(last.actor)
            return actor.call if actor else None
        return None

    def _refresh_views(self, *, heavy: bool = False) -> None:
        count = self._count()
        state = self.timeline.state_at(count)
        latest = self.timeline.latest
        selected = self.selected_event()
        pending = self._pending(state)
        info = self.source.info
        mode = "playing" if self.playing else "stepping"
        mode += f" ({info.origin})" if info.origin else ""
        self.query_one(LabHeader).show(
            title=info.name,
            mode=mode,
            vtime=state.vtime,
            link=info.link,
            seed=info.seed,
            step=self._steps_done(count),
            last_step=self._steps_done(len(self.timeline.events)),
            outcome=latest.outcome,
        )
        current = pending.actor if pending else None
        kernel = self._kernel_lookup(state)
        for panel in self.query(ActorPanel):
            panel.show(
                state.actors.get(panel.actor_name),
                current=panel.actor_name == current,
                kernel=kernel,
            )
        shown = selected if selected is not None else pending
        self.query_one("#headline", Static).update(details.headline(shown, pending))
        trace = self.query_one(TraceView)
        trace.set_rows(self.rows, follow=self.view is None, pending=pending)
        if self.view is not None:
            trace.select_seq(self.chosen or count)
        self._refresh_tab(shown, state, heavy=heavy)
        reader = self._keyboard_reader() if self.view is None else None
        waits = f"{reader} waits for its keyboard: i types a line" if reader else ""
        self.query_one(StatusLine).keep("keyboard", waits)

    def _refresh_tab(self, event: Event | None, state: LabState, *, heavy: bool) -> None:
        tab = self.query_one(TabbedContent).active
        if tab in ("trace", "ladder") and not (tab == "ladder" and self._heavy_due(heavy)):
            return
        info = self.source.info
        count = self._count()
        if tab == "ladder":
            window = self.timeline.events[max(0, count - _LADDER_WINDOW) : count]
            drawn = rungs(window)
            outside = any(OUTSIDE in (rung.source, rung.target) for rung in drawn)
            self.query_one(LadderView).show(drawn, [*self._actor_names, *[OUTSIDE] * outside])
            return
        view = self.query_one(f"#{tab}-view", Static)
        if tab == "code":
            height = self.query_one(TabbedContent).size.height - 2
            here = self.source.traits.runs_here
            where = self._with_source(event, count)
            view.update(details.code(where, info.sources, info.file, height, live=here))
        elif tab == "strace":
            view.update(details.strace(event))
        elif tab == "kernel":
            now = self._kernel_table()
            view.update(details.kernel(event, state, now=now, kept=self._kernel_kept))
        elif tab == "bytes":
            view.update(details.hexdump(event))
        elif tab == "why":
            width = self.query_one("#headline").size.width
            view.update(details.explanation(event, state, width))
        elif tab == "flows" and self._heavy_due(heavy):
            upto = self.timeline.events.upto(count)
            self._draw_heavy(
                tab, count, lambda: details.delivery(analyse(upto, messages=details.STRIP))
            )
        elif tab == "states" and self._heavy_due(heavy):
            self._draw_heavy(tab, count, self._states(event, state, count))

    def _draw_heavy(self, tab: str, count: int, draw: Callable[[], RenderableType]) -> None:
        """A view that reads the log up to ``count``: drawn now for a short log; for a long one
        by a worker thread, the keys answered meanwhile (the view says what it is reading,
        then shows what it found for the step it was asked, until the next is drawn)."""
        view = self.query_one(f"#{tab}-view", Static)
        if count < _LONG_LOG:
            view.update(draw())
            return
        wanted = (tab, count)
        if self._heavy_shown == wanted:
            return
        if self._heavy_busy:
            self._heavy_again = True  # once this one is drawn
            return
        if self._heavy_shown is None or self._heavy_shown[0] != tab:
            view.update(Text(f"Reading the {count:,} events of the log...", "dim"))
        self._heavy_busy, self._heavy_again = True, False

        def work() -> None:  # post_message is safe from a thread, and does not wait for the UI
            self.post_message(HeavyDrawn(tab, count, draw()))

        self.run_worker(work, thread=True, group="heavy", exit_on_error=False)

    @on(HeavyDrawn)
    def _heavy_drawn(self, message: HeavyDrawn) -> None:
        self._heavy_busy = False
        if self._leaving:
            return
        if self.query_one(TabbedContent).active == message.tab:
            self.query_one(f"#{message.tab}-view", Static).update(message.drawn)
            self._heavy_shown = (message.tab, message.count)
        if self._heavy_again:
            self._refresh_views(heavy=True)

    def _states(
        self, event: Event | None, state: LabState, count: int
    ) -> Callable[[], RenderableType]:
        """TCP's state diagram, the selected step's socket lit where the kernel said it was,
        and the other end of its connection where that is a lab socket too (what the drawing
        needs from the screen taken now; the log read when it is drawn, maybe by a worker)."""
        sock = None if event is None else event.new_sock or event.sock
        sock_id = sock.id if sock else ""
        table = self._kernel_table()
        sockets = [
            (other.id, other.local, other.peer)
            for actor in state.actors.values()
            for other in actor.sockets.values()
        ]
        tabs = self.query_one(TabbedContent).size
        events = self.timeline.events.upto(count)

        def draw() -> RenderableType:
            found, where = self._tcp_position(events, sock_id, table)
            peer = None
            if found.sock is not None and found.sock.peer:
                mine = found.sock
                peer_id = next(
                    (
                        other
                        for other, local, remote in sockets
                        if other != mine.id and local == mine.peer and remote == mine.local
                    ),
                    None,
                )
                peer = self._tcp_position(events, peer_id, table) if peer_id else None
            return states(found, where, tabs.width, tabs.height - 2, peer)

        return draw

    def _tcp_position(
        self, events: Iterable[Event], sock_id: str, table: KernelTable | None
    ) -> tuple[History, Position]:
        """A socket's readings by the kernel in ``events``, and where that puts it in TCP's
        diagram (at a live lab's latest step, as the kernel's ``table`` says now)."""
        found = history(events, sock_id)
        now: str | bool | None = False  # not read
        if table is not None and found.sock is not None:
            row = table.find(found.sock.type, found.sock.local, found.sock.peer)
            now = row.state if row else None
        return found, position(found, kept=self._kernel_kept, now=now)

    def _with_source(self, event: Event | None, count: int) -> Event | None:
        """The event whose line the Code tab shows: the chosen one, or for a row of no line of
        its own (a printed line, a wake), its actor's last call before it."""
        if event is None or event.source or not event.actor:
            return event
        events = self.timeline.events
        for index in range(min(count, len(events)) - 1, max(-1, count - 2000), -1):
            earlier = events[index]
            if earlier.actor == event.actor and earlier.source and earlier.seq <= event.seq:
                return earlier
        return event

    def _heavy_due(self, forced: bool) -> bool:
        """Views that read the whole log are redrawn at most every _HEAVY_EVERY s in play."""
        now = time.monotonic()
        if self.playing and not forced and now - self._heavy_at < _HEAVY_EVERY:
            return False
        self._heavy_at = now
        return True

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        if self.query_one(TabbedContent).active == "trace":
            self.query_one(TraceView).focus()
        else:  # the keys go to the screen's bindings, which move the trace's cursor
            self.set_focus(None)
        self._refresh_views(heavy=True)

    @on(TraceView.Selected)
    def _row_selected(self, message: TraceView.Selected) -> None:
        self.view = None if message.follow else self._with_kernel(message.seq)
        self.chosen = None if message.follow else message.seq
        self._refresh_views(heavy=True)

    # -- actions ----------------------------------------------------------------------------

    def action_step(self) -> None:
        if self.view is not None:  # from the past, Space first comes back to the present
            self.view = self.chosen = None
            self.notify("Back at the latest step: Space again takes the next.", timeout=2)
            self._refresh_views(heavy=True)
            return
        if self.source.finished:
            if not self._told_finished:
                self._told_finished = True
                self.notify("The lab has ended: r restarts it.", markup=False)
            return
        self.source.step()
        self._refresh_views()

    def action_play(self) -> None:
        if self.playing:
            self._stop_playing()
        elif self.source.finished:
            self.notify("The lab has ended: r restarts it.", markup=False)
            return
        else:
            self.view = self.chosen = None
            self.playing = True
            self._apply_pace()
        self._refresh_views()

    def _apply_pace(self) -> None:
        self.source.play(PACES[self.pace_index])

    def action_to_end(self) -> None:
        """Every step left, as fast as the lab can: a recording shows its last step at once, a
        lab running now plays on at full speed."""
        self.view = self.chosen = None
        self.source.step_to_end()
        if self.source.playing:  # still on its way there
            self.pace_index = len(PACES) - 1
        self.playing = self.source.playing
        self._refresh_views()

    def _stop_playing(self) -> None:
        self.playing = False
        self.source.pause()

    def action_faster(self) -> None:
        self.pace_index = min(len(PACES) - 1, self.pace_index + 1)
        self._speed_changed()

    def action_slower(self) -> None:
        self.pace_index = max(0, self.pace_index - 1)
        self._speed_changed()

    def _speed_changed(self) -> None:
        pace = PACES[self.pace_index]
        said = f"pace: {pace:g} s a step" if pace else "pace: full speed"
        if self.pace_index in (0, len(PACES) - 1):
            said += " (the slowest)" if self.pace_index == 0 else " (the fastest)"
        self.notify(said, timeout=1.5)
        if self.playing:
            self._apply_pace()

    def action_back(self) -> None:
        """Show the lab as it was one step earlier: computed from the log, instantly."""
        shown = self.selected_event()
        events = self.timeline.events
        end = self._count() if shown is None else self._index_of(shown)
        earlier = next(
            (
                index + 1
                for index in range(end - 1, -1, -1)
                if events[index].kind in ev.OUTCOMES and not events[index].extra.get("compound")
            ),
            None,
        )
        if earlier is None:
            self.notify("This is the first step.", timeout=1.5)
            return
        self._stop_playing()
        self._show_step(earlier)
        self._refresh_views(heavy=True)

    def action_forward(self) -> None:
        """Show the lab one step later than the one shown (the way back through ``b``)."""
        if self.view is None:
            self.notify("This is the latest step: Space takes the next.", timeout=1.5)
            return
        events = self.timeline.events
        later = next(
            (
                index + 1
                for index in range(self.view, len(events))
                if events[index].kind in ev.OUTCOMES and not events[index].extra.get("compound")
            ),
            None,
        )
        last = self._steps_done(len(events))
        if later is None or self._steps_done(later) >= last:
            self.view = self.chosen = None  # the latest step: follow the lab again
        else:
            self._show_step(later)
        self._refresh_views(heavy=True)

    def _show_step(self, count: int) -> None:
        """The lab as it was when the step ending at event ``count`` had been taken, as the
        live lab showed it then: with what followed before the next step (an actor that
        finished, a call that can go on, the next call announced)."""
        events = self.timeline.events
        self.chosen = count
        while count < len(events) and not (
            events[count].kind in ev.OUTCOMES and not events[count].extra.get("compound")
        ):
            count += 1
        self.view = count

    # A trace key pressed on another tab: the trace's cursor moves all the same.
    def action_trace_cursor(self, delta: int) -> None:
        self.query_one(TraceView).action_cursor(delta)

    def action_scroll_tab(self, lines: int) -> None:
        tab = self.query_one(TabbedContent).active
        for pane in self.query(f"#{tab} VerticalScroll").results(VerticalScroll):
            pane.scroll_relative(y=lines, animate=False)

    def action_trace_first(self) -> None:
        self.query_one(TraceView).action_first()

    def action_trace_last(self) -> None:
        self.query_one(TraceView).action_last()

    def _with_kernel(self, count: int) -> int:
        """``count`` events and the kernel's view recorded right after them: a step is seen
        with what the kernel said once it was taken."""
        events = self.timeline.events
        while count < len(events) and events[count].kind == ev.KERNEL:
            count += 1
        return count

    @staticmethod
    def _index_of(event: Event) -> int:
        """Where ``event`` is in the log (events are numbered from 1, in order)."""
        return event.seq - 1

    def action_restart(self) -> None:
        self._leaving = True
        self._stop_playing()
        self.source.stop()
        self.post_message(self.RestartAsked(self))

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_close_filter(self) -> None:
        """Esc closes the filter's box, or the keyboard's."""
        for box in (self.query_one("#filter", Input), self.query_one(KeyboardInput)):
            if box.display:
                box.display = False
                self.query_one(TraceView).focus()

    def _keyboard_reader(self) -> str | None:
        """The program that waits for its keyboard now (the first, if several), if the lab
        runs here: a recording shows what was typed, nothing more can be."""
        if not self.source.traits.runs_here or self.source.finished:
            return None
        for name, actor in self.timeline.latest.actors.items():
            if actor.status == BLOCKED and actor.waits_for_keyboard:
                return name.partition("/")[0]  # a thread's keyboard is its program's
        return None

    def action_type_line(self) -> None:
        reader = self._keyboard_reader()
        if reader is None:
            self.notify("No program waits for its keyboard now: i types when one does.", timeout=3)
            return
        self.query_one(KeyboardInput).open_for(reader)

    @on(KeyboardInput.Typed)
    def _typed(self, message: KeyboardInput.Typed) -> None:
        box = self.query_one(KeyboardInput)
        box.display = False
        self.query_one(TraceView).focus()
        self.source.type(message.actor, message.text, message.end)
        said = "the end of its input (Ctrl+D)" if message.end else repr(message.text)
        told = visible(f"typed into {message.actor}: {said}; Space steps on")
        self.notify(told, markup=False, timeout=3)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, message: Input.Submitted) -> None:
        self.trace_rows.choose(TraceFilter.parse(message.value, self._actor_names))
        message.input.display = False
        self.query_one(TraceView).focus()
        told = f"showing {self.filter.describe()}"
        if self.filter.unknown:
            told += f" (no actor or kind: {' '.join(self.filter.unknown)})"
        self.notify(visible(told), timeout=3, markup=False)
        shows_all = not (self.filter.actors or self.filter.kinds)
        lasting = (
            ""
            if shows_all
            else f"filter: {self.filter.describe()}  (/ to change it; empty shows all)"
        )
        self.query_one(StatusLine).keep("filter", lasting)
        self._refresh_views()

    def action_lesson(self) -> None:
        summary, text = lesson_of(self.source.info.source)
        if not summary and not text:
            self.notify("This lab has no lesson text (a scenario's docstring gives it).")
            return
        self._show(LessonScreen(self.source.info.title, summary, text))

    def action_screenshot(self) -> None:
        name = visible(self.source.info.name).replace("/", "_")
        save_svg(self.app, f"netlab-{name}-step{self._steps_done(self._count())}")

    def action_help(self) -> None:
        from netlab.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_tab(self, name: str) -> None:
        self.query_one(TabbedContent).active = name

    def action_home(self) -> None:
        """Back to the list of scenarios; this lab is stopped (its processes end)."""
        self._leaving = True
        self._stop_playing()
        from netlab.ui.screens.home import HomeScreen

        if len(self.app.screen_stack) > 1 and isinstance(self.app.screen_stack[-2], HomeScreen):
            self.app.pop_screen()
        else:
            self.app.switch_screen(HomeScreen())

    def action_quit_lab(self) -> None:
        self._leaving = True
        self._stop_playing()
        self.app.exit()

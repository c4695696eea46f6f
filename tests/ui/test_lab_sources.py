"""The two kinds of lab source behind one interface: each implements all of it, the screens
never ask which kind they hold, and a recording plays, pauses and stops on a clock it is given
(a fake one here: no Textual, no waiting)."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from netlab.core import events as ev
from netlab.core.events import Event
from netlab.core.recording import read_recording
from netlab.ui import lab_source
from netlab.ui.event_inbox import EventInbox
from netlab.ui.lab_source import CannotOpen, LabSource
from netlab.ui.live_lab import LiveLab
from netlab.ui.recorded_lab import RecordedLab
from netlab.ui.screens.lab import LabScreen
from tests.ui.conftest import recording, replay_app, wait_for

pytestmark = pytest.mark.timeout(60)

SOURCES = [LiveLab, RecordedLab]
INTERFACE = {
    name
    for name, member in vars(LabSource).items()
    if not name.startswith("_") and (callable(member) or isinstance(member, property))
} | set(LabSource.__annotations__)


class FakeClock:
    """``every(seconds, tick)`` that ticks only when the test says so."""

    def __init__(self) -> None:
        self.ticking: list[FakeClock.Ticks] = []

    class Ticks:
        def __init__(self, seconds: float, tick: Callable[[], None]) -> None:
            self.seconds, self.tick, self.stopped = seconds, tick, False

        def stop(self) -> None:
            self.stopped = True

    def every(self, seconds: float, tick: Callable[[], None]) -> FakeClock.Ticks:
        ticks = FakeClock.Ticks(seconds, tick)
        self.ticking.append(ticks)
        return ticks

    def tick(self) -> None:
        for ticks in [t for t in self.ticking if not t.stopped]:
            ticks.tick()


def started_recording(name: str = "tcp_echo") -> tuple[RecordedLab, FakeClock, list[int]]:
    source = RecordedLab(read_recording(recording(name)), name)
    clock, notices = FakeClock(), []
    source.start(lambda: notices.append(1), clock.every)
    return source, clock, notices


def steps(events: list[ev.Event]) -> int:
    return sum(1 for e in events if e.kind in ev.OUTCOMES)


# -- one interface, implemented in full ------------------------------------------------------


def test_the_interface_names_what_the_screen_uses() -> None:
    assert {"step", "play", "pause", "step_to_end", "stop", "restarted", "take"} <= INTERFACE
    assert {"info", "traits", "failure", "playing", "finished"} <= INTERFACE


@pytest.mark.parametrize("kind", SOURCES, ids=lambda kind: kind.__name__)
def test_each_source_implements_every_member_itself(kind: type) -> None:
    made_in_init = inspect.getsource(vars(kind)["__init__"])
    for name in sorted(INTERFACE):
        defined = name in vars(kind) or re.search(rf"self\.{name}(: [^=]+)? =", made_in_init)
        assert defined, f"{kind.__name__} lacks {name}"
        member = vars(kind).get(name)
        function = member.fget if isinstance(member, property) else member
        if inspect.isfunction(function):
            tree = ast.parse(textwrap.dedent(inspect.getsource(function))).body[0]
            assert isinstance(tree, ast.FunctionDef)
            stub = all(
                isinstance(line, ast.Expr) and isinstance(line.value, ast.Constant)
                for line in tree.body
            )
            assert not stub, f"{kind.__name__}.{name} is a stub"


def test_no_screen_names_a_kind_of_source() -> None:
    """The screens hold a LabSource; they cannot branch on its kind if they cannot name it."""
    screens = Path(lab_source.__file__).parent / "screens"
    for path in screens.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in ("LiveLab", "RecordedLab", "live_lab", "recorded_lab", ".live "):
            assert name not in text, f"{path.name} names {name}"


# -- a recording, on a fake clock ------------------------------------------------------------


def test_a_recording_shows_up_to_its_first_step_then_one_step_at_a_time() -> None:
    source, _, notices = started_recording()
    first = source.take()
    assert first and steps(first) == 0 and notices == [1]
    for _ in range(3):
        source.step()
        assert steps(source.take()) == 1
    assert source.take() == []


def test_a_recording_plays_one_step_a_tick_pauses_and_stops_at_its_end() -> None:
    source, clock, notices = started_recording()
    source.take()
    source.play(0.25)
    assert source.playing and clock.ticking[-1].seconds == 0.25
    clock.tick()
    clock.tick()
    assert steps(source.take()) == 2
    source.pause()
    assert not source.playing and clock.ticking[-1].stopped
    clock.tick()
    assert source.take() == []
    source.play(0.0)  # full speed is the shortest tick, never a busy loop
    assert clock.ticking[-1].seconds > 0
    while not source.finished:
        clock.tick()
    assert not source.playing and all(t.stopped for t in clock.ticking)
    notices.clear()
    source.take()
    clock.tick()  # nothing ticks any more
    assert notices == []


def test_a_recording_cut_short_says_when_it_stops_playing(tmp_path: Path) -> None:
    """With no end event to show, the notice is how the screen learns the play is over."""
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(recording("tcp_echo").read_text().splitlines(True)[:20]))
    source = RecordedLab(read_recording(cut), "cut")
    clock, notices = FakeClock(), []
    source.start(lambda: notices.append(1), clock.every)
    source.play(0.1)
    while source.playing:
        source.take()
        clock.tick()
    assert source.finished and notices


def test_to_the_end_and_restarted() -> None:
    source, clock, _ = started_recording()
    source.play(1.0)
    source.step_to_end()
    assert source.finished and not source.playing
    assert any(e.kind == ev.END for e in source.take())
    again = source.restarted()
    assert isinstance(again, RecordedLab) and again.info == source.info and not again.finished
    again.start(lambda: None, clock.every)
    assert steps(again.take()) == 0


def test_what_a_recording_says_about_itself() -> None:
    source, _, _ = started_recording()
    assert source.info.origin == "replay" and source.info.name == "tcp-echo"
    assert not source.traits.runs_here and source.traits.answers_at_once
    assert source.failure == ""


# -- a live lab, not started -----------------------------------------------------------------


def test_a_live_lab_says_it_runs_here() -> None:
    source = LiveLab.open("tcp-echo", seed=1, link=None)
    assert source.info.origin == "" and source.info.seed == 1
    assert source.traits.runs_here and not source.traits.answers_at_once
    assert source.recording_header()["scenario"] == "tcp-echo"
    assert not source.playing and not source.finished


def test_a_lab_that_cannot_be_opened_again_says_which_and_why(tmp_path: Path) -> None:
    path = tmp_path / "mine.py"
    path.write_text(MINE)
    source = LiveLab.open(str(path), seed=None, link=None)
    path.write_text("from netlab import Scenario\nlab = Scenario('x'\n")
    with pytest.raises(CannotOpen) as caught:
        source.restarted()
    assert caught.value.title == f"{path} cannot be opened" and str(caught.value)
    with pytest.raises(CannotOpen):
        LiveLab.open("tcp-echo", seed=None, link="no-such-preset")


MINE = textwrap.dedent('''
    """Mine."""
    from netlab import Scenario
    lab = Scenario("mine")

    @lab.actor("server")
    def server(ctx):
        pass
''')


# -- the inbox both share --------------------------------------------------------------------


def test_the_inbox_says_once_per_batch_from_any_thread() -> None:
    source, _, _ = started_recording()
    events = source.take()
    inbox, notices = EventInbox(), []
    inbox.listen(lambda: notices.append(1))

    def put_them_all() -> None:
        for event in events:
            inbox.put(event)

    threads = [threading.Thread(target=put_them_all) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(inbox.take()) == 4 * len(events) and notices == [1]
    inbox.ring()
    inbox.ring()
    assert notices == [1, 1] and inbox.take() == []


def test_a_thread_that_puts_faster_than_the_ui_takes_waits_for_room() -> None:
    source, _, _ = started_recording()
    events = source.take()[:10]
    inbox = EventInbox(most=3)
    put = threading.Thread(target=lambda: [inbox.put(event) for event in events])
    put.start()
    taken: list[Event] = []
    while len(taken) < len(events):
        batch = inbox.take()
        assert len(batch) <= 3  # never more waiting than the inbox has room for
        taken += batch
        put.join(timeout=0.01)
    put.join(timeout=5)
    assert taken == events and not put.is_alive()


def test_a_closed_inbox_lets_a_waiting_thread_go_on_and_keeps_nothing() -> None:
    source, _, _ = started_recording()
    events = source.take()[:10]
    inbox = EventInbox(most=2)
    put = threading.Thread(target=lambda: [inbox.put(event) for event in events])
    put.start()
    put.join(timeout=0.2)
    assert put.is_alive()  # waiting for room
    inbox.close()
    put.join(timeout=5)
    assert not put.is_alive() and len(inbox.take()) == 2


# -- the screen, through its keys ------------------------------------------------------------


async def test_playing_a_recording_cut_short_stops_at_its_end(tmp_path: Path) -> None:
    from netlab.ui.app import NetlabApp

    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(recording("tcp_echo").read_text().splitlines(True)[:20]))
    app = NetlabApp(recording=cut)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        await pilot.press("p")
        assert screen.playing
        await wait_for(pilot, lambda: not screen.playing)
        assert screen.source.finished and "playing" not in str(
            screen.query_one("LabHeader").render()
        )
        await pilot.press("q")


async def test_a_replay_to_the_end_and_restarted_from_the_screen() -> None:
    app = replay_app("refused")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p", "e")  # to the end while playing: it stops there
        screen = app.screen
        assert isinstance(screen, LabScreen)
        assert screen.source.finished and not screen.playing and not screen.source.playing
        assert screen.timeline.latest.outcome is not None
        await pilot.press("r")
        await pilot.pause()
        again = app.screen
        assert isinstance(again, LabScreen) and again is not screen
        assert not again.source.finished
        await pilot.press("q")


async def test_going_to_the_end_of_a_long_recording_lets_the_app_run_between_windows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A window is folded in, then the screen waits its turn: keys (and anything else the app
    has to do) are answered while a long recording is taken in, not after it."""
    import asyncio

    from netlab.ui import recorded_lab

    monkeypatch.setattr(recorded_lab, "_WINDOW", 20)
    total = len(read_recording(recording("tcp_vs_udp")).events)
    assert total > 20 * 10
    app = replay_app("tcp_vs_udp")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        seen: list[int] = []

        async def watch() -> None:  # what another task sees each time the loop turns
            while True:
                seen.append(len(screen.timeline.events))
                await asyncio.sleep(0)

        watcher = asyncio.get_running_loop().create_task(watch())
        await pilot.press("e")
        await wait_for(pilot, lambda: len(screen.timeline.events) == total)
        watcher.cancel()
        between = {count for count in seen if 0 < count < total}
        assert len(between) >= total // 20 // 2  # it saw most windows come in, one by one
        await pilot.press("q")

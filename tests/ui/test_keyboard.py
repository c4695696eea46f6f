"""Typing into a program that reads its keyboard, in the lab at 80x24, and the replay of the
session showing what was typed."""

from __future__ import annotations

from pathlib import Path

from netlab.core import events as ev
from netlab.core.ports import LOOPBACK, free_ports
from netlab.core.programs import lab_ref
from netlab.ui.app import NetlabApp
from netlab.ui.screens.lab import LabScreen
from netlab.ui.widgets.keyboard_input import KeyboardInput
from netlab.ui.widgets.status_line import StatusLine
from netlab.ui.widgets.trace_view import TraceView
from tests.ui.conftest import wait_for

PROGRAMS = Path(__file__).parent.parent / "programs"


def _read_lines(screen: LabScreen) -> list[str]:
    events = screen.timeline.events
    return [e.result for e in events if e.kind == ev.RETURN and e.op == "readline"]


async def _step_until(pilot, screen: LabScreen, predicate) -> None:  # type: ignore[no-untyped-def]
    for _ in range(60):
        if predicate():
            return
        before = len(screen.timeline.events)
        await pilot.press("space")
        await wait_for(pilot, lambda b=before: len(screen.timeline.events) > b or predicate())
    raise AssertionError("the lab did not get there in 60 steps")


async def test_a_line_typed_into_a_program_is_what_it_reads_and_the_replay_shows_it(
    tmp_path: Path,
) -> None:
    port = free_ports(1, LOOPBACK)[0]
    ref = lab_ref(
        [
            f"{PROGRAMS / 'upper_server.py'} {LOOPBACK} {port}",
            f"{PROGRAMS / 'chat_client.py'} {LOOPBACK} {port}",
        ]
    )
    session = tmp_path / "session.jsonl"
    app = NetlabApp(scenario=ref, record_events=session)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        await wait_for(pilot, lambda: screen.timeline.events)
        await _step_until(pilot, screen, lambda: screen._keyboard_reader() == "chat_client")
        status = str(screen.query_one(StatusLine).render())
        assert "chat_client waits for its keyboard: i types a line" in status
        await pilot.press("i")
        box = screen.query_one(KeyboardInput)
        assert box.display and box.has_focus
        await pilot.press(*"hi there", "enter")
        assert not box.display and screen.query_one(TraceView).has_focus
        await _step_until(pilot, screen, lambda: _read_lines(screen) == ["hi there\n"])
        await _step_until(pilot, screen, lambda: screen._keyboard_reader() == "chat_client")
        await pilot.press("i", "ctrl+d")  # the end of input: input() raises EOFError
        await pilot.press("e")  # to the end
        await wait_for(pilot, lambda: screen.source.finished)
        state = screen.timeline.latest
        assert state.actors["chat_client"].output == ["> server: HI THERE", "> bye"]
        assert _read_lines(screen) == ["hi there\n", ""]
        await pilot.press("q")

    replay = NetlabApp(recording=session)
    async with replay.run_test(size=(80, 24)) as pilot:
        screen = replay.screen
        assert isinstance(screen, LabScreen)
        await pilot.press("e")
        await wait_for(pilot, lambda: screen.source.finished)
        await pilot.pause()
        assert _read_lines(screen) == ["hi there\n", ""]
        assert screen._keyboard_reader() is None  # nothing can be typed into a recording
        await pilot.press("i")
        assert not screen.query_one(KeyboardInput).display


async def test_i_says_so_when_no_program_waits_for_its_keyboard() -> None:
    from tests.ui.conftest import replay_app

    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, LabScreen)
        assert not screen.query_one(KeyboardInput).display
        assert screen.told[-1][1].startswith("No program waits for its keyboard now")

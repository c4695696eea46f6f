"""A peer that sends escape sequences, bidi overrides, NUL and markup; an actor that prints them
and raises them: every panel shows them literally, nothing crashes, nothing becomes clickable."""

from __future__ import annotations

from pathlib import Path

import pytest

from netlab.ui.app import NetlabApp
from netlab.ui.screens.lab import TABS, LabScreen
from netlab.ui.widgets.trace_view import TraceView
from tests.ui.conftest import palette_prompts, replay_app, wait_for

pytestmark = pytest.mark.timeout(60)

RAW = ["\x1b", "\x00", "\x9b", "\u202e", "\x07"]


def assert_safe(svg: str) -> None:
    for char in RAW:
        assert char not in svg, f"{char!r} reached the screen raw"


async def test_hostile_bytes_are_shown_literally_everywhere() -> None:
    app = replay_app("hostile")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        screen.source.step_to_end()
        await pilot.pause()
        trace = screen.query_one(TraceView)
        seen = ""
        kinds: dict[tuple[str, str], int] = {}  # one row of each kind that carries hostile text
        for number, row in enumerate(trace.rows):
            if row.data or row.text or row.error:
                kinds.setdefault((row.kind, row.op), number)
        hostile = list(kinds.values())
        assert len(hostile) >= 5
        # Every row that carries hostile text, in every tab that shows the chosen row (the
        # others show the whole lab: once is enough for them), with the headline above.
        per_row = {"strace", "bytes", "why"}
        tabs = {name: number for number, name in enumerate(TABS, start=1)}
        for index, row in enumerate(hostile):
            trace.cursor = row
            trace.action_cursor(0)
            await pilot.pause()
            for name, number in tabs.items():
                if name in per_row or index == 0:
                    await pilot.press(str(number))
                    svg = app.export_screenshot()
                    assert_safe(svg)
                    seen += svg
            await pilot.press("1")
        # The escapes and the markup are there, as text.
        assert "\\x1b]0;X\\x07" in seen
        assert "\\x1b[2J" in seen and "\\x00" in seen and "\\x9b" in seen and "\\u202e" in seen
        assert "[@click=app.quit]x[/]" in seen
        assert "[/bold]" in seen
        assert "\\x1b]0;pwned\\x07" in seen  # the actor's exception
        # Clicking anywhere on the trace quits nothing.
        await pilot.press("1")
        for y in range(min(trace.size.height, len(trace.rows))):
            await pilot.click(TraceView, offset=(30, y))
        await pilot.pause()
        assert app.is_running
        await pilot.press("q")


async def test_notices_show_hostile_text_literally() -> None:
    """The lab's end is announced with the actor's exception text: escapes shown, not sent."""
    app = replay_app("hostile")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")  # to the end, through the screen's own path
        screen = app.screen
        assert isinstance(screen, LabScreen)
        await wait_for(pilot, lambda: screen.told)
        messages = " ".join(message for _, message in screen.told)
        assert "\\x1b]0;pwned\\x07" in messages
        for char in RAW:
            assert char not in messages
        assert_safe(app.export_screenshot())
        await pilot.press("q")


HOSTILE_DOC = '''"""Evil [@click=app.quit]x[/] and [/bold] \\x1b]0;T\\x07 \\u202e doc."""
from netlab import Scenario

lab = Scenario("evil")
'''


async def test_hostile_scenario_files_on_home_and_in_the_palette(in_tmp_cwd: Path) -> None:
    folder = in_tmp_cwd / "scenarios"
    folder.mkdir()
    (folder / "e[@click=app.quit]y[b].py").write_text(HOSTILE_DOC, encoding="utf-8")
    app = NetlabApp()
    async with app.run_test(size=(100, 30)) as pilot:
        home = app.export_screenshot()
        assert_safe(home)
        assert "e[@click=app.quit]y[b].py" in home
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"open yours")
        await wait_for(pilot, lambda: "e[@click=app.quit]y[b].py" in palette_prompts(app))
        palette = app.export_screenshot()
        assert_safe(palette)
        assert "[@click=app.quit]x[/]" in palette and "[/bold]" in palette
        await pilot.click(offset=(20, 8))  # on the hit: nothing quits
        await pilot.pause()
        assert app.is_running
        await pilot.press("q")

"""A peer that sends escape sequences, bidi overrides, NUL and markup; an actor that prints them
and raises them: every panel shows them literally, nothing crashes, nothing becomes clickable."""

from __future__ import annotations

import pytest

from netlab.ui.screens.lab import TABS, LabScreen
from netlab.ui.widgets.trace_view import TraceView
from tests.ui.conftest import replay_app

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
        for row in hostile:  # every row that carries hostile text, in every tab
            trace.cursor = row
            trace.action_cursor(0)
            await pilot.pause()
            for number, _ in enumerate(TABS, start=1):
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

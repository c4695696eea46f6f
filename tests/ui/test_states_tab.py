"""The States tab: TCP's state diagram with the selected socket's state lit as the kernel said."""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest
from rich.console import Group
from rich.text import Text

from netlab.core.kernel_view import KernelTable
from netlab.core.tcp_states import state_of
from netlab.ui.app import NetlabApp
from netlab.ui.screens.lab import LabScreen
from netlab.ui.widgets.states_view import LIT, PEER
from tests.outputs import svg_lines
from tests.ui.conftest import replay_app, wait_for

pytestmark = pytest.mark.timeout(60)
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def lit(screen: LabScreen) -> dict[str, list[str]]:
    """The states the States tab lights, by style: the selected socket's and its peer's."""
    count = screen._count()
    drawn = screen._states(screen.selected_event(), screen.timeline.state_at(count), count)()
    assert isinstance(drawn, Group)
    found: dict[str, list[str]] = {LIT: [], PEER: []}
    for line in drawn.renderables[:5]:
        assert isinstance(line, Text)
        for span in line.spans:
            if span.style in found:
                found[str(span.style)].append(line.plain[span.start : span.end].strip())
    return found


def steps(screen: LabScreen) -> int:
    return screen._steps_done(screen._count())


def words(app: NetlabApp, tmp: Path) -> str:
    """The screen's text, its lines joined (what wraps is read whole)."""
    (tmp / "shot.svg").write_text(app.export_screenshot())
    return " ".join(line.strip() for line in svg_lines(tmp / "shot.svg"))


async def _step_to(pilot, screen: LabScreen, step: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3 * step):  # bounded: a blocked call may take a step of its own to go on
        done = steps(screen)
        if done >= step:
            break
        await pilot.press("space")
        await wait_for(pilot, lambda before=done: steps(screen) > before)
    await pilot.pause()
    assert steps(screen) == step


@pytest.mark.parametrize("size", SIZES)
async def test_the_lit_state_is_the_one_the_kernel_recorded(
    size: tuple[int, int], tmp_path: Path
) -> None:
    app = replay_app("tcp_echo_stepped")
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        await pilot.press("9")
        assert screen.query_one("#tabs").active == "states"
        await _step_to(pilot, screen, 6)  # client-1's connect()
        kernel = screen.timeline.state_at(screen._count()).kernel
        assert kernel is not None and kernel["client-1#1"].state == "ESTAB"
        assert lit(screen)[LIT] == ["ESTAB"]
        await _step_to(pilot, screen, 20)  # the server closes its side: client-1 closed first
        kernel = screen.timeline.state_at(screen._count()).kernel
        assert kernel is not None
        assert "server#2" not in kernel and kernel["client-1#1"].state == "TIME-WAIT"
        assert lit(screen) == {LIT: ["CLOSED"], PEER: ["TIME-WAIT"]}
        assert "passing through LAST-ACK too fast to be seen" in words(app, tmp_path)


async def test_a_live_lab_lights_what_ss_shows(in_tmp_cwd: Path) -> None:
    app = NetlabApp(scenario="tcp-echo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        await wait_for(pilot, lambda: screen.timeline.events)
        await pilot.press("9")
        for step, sock_id in ((6, "client-1#1"), (20, "client-1#1")):
            await _step_to(pilot, screen, step)
            state = screen.timeline.latest
            sock = next(
                s for a in state.actors.values() for s in a.sockets.values() if s.id == sock_id
            )
            row = KernelTable.read().find(sock.type, sock.local, sock.peer)  # as ss reads it
            assert row is not None
            shown = lit(screen)
            assert state_of(row.state) in (shown[LIT] + shown[PEER])
        assert lit(screen)[PEER] == ["TIME-WAIT"]
        await pilot.press("q")
    assert [p for p in psutil.Process().children(recursive=True) if p.status() != "zombie"] == []


async def test_a_lab_that_ran_freely_says_the_state_is_not_known(tmp_path: Path) -> None:
    app = replay_app("tcp_echo")  # netlab run: no kernel view kept
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(6):
            await pilot.press("space")
        await pilot.press("9")
        await pilot.pause()
        assert "the kernel's view was not kept" in words(app, tmp_path)
        assert lit(app.screen) == {LIT: [], PEER: []}

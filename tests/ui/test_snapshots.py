"""What a person sees, at 80x24 and at 120x40. Labs are replayed from recordings, so that
ports and process ids do not change the pictures. ``pytest --snapshot-update`` rewrites them."""

from __future__ import annotations

import pytest

from netlab.ui.app import NetlabApp
from netlab.ui.screens.question import RevealScreen
from tests.ui.conftest import replay_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare, size, in_tmp_cwd) -> None:
    assert snap_compare(NetlabApp(), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_a_lesson_opens_with_its_text(snap_compare, size) -> None:
    assert snap_compare(replay_app("udp_echo", questions=True), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_a_question_before_the_call(snap_compare, size) -> None:
    press = ["enter", *["space"] * 6]
    assert snap_compare(replay_app("udp_echo", questions=True), press=press, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_the_answer_revealed_after_the_call(snap_compare, size) -> None:
    async def answer_and_step_until_revealed(pilot) -> None:
        await pilot.press("enter", *["space"] * 6, "b")
        for _ in range(30):
            if isinstance(pilot.app.screen, RevealScreen):
                return
            await pilot.press("space")
        raise AssertionError("nothing was revealed")

    app = replay_app("udp_echo", questions=True)
    assert snap_compare(app, run_before=answer_and_step_until_revealed, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_a_lab_mid_scenario(snap_compare, size) -> None:
    assert snap_compare(replay_app("tcp_echo"), press=["space"] * 12, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_a_failed_call_and_why(snap_compare, size) -> None:
    # refused: step 1 socket, step 2 connect -> ECONNREFUSED; then the Why tab.
    press = ["space", "space", "6"]
    assert snap_compare(replay_app("refused"), press=press, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_a_failed_call_in_the_trace(snap_compare, size) -> None:
    # The errno name comes first in the row, so that 80 columns show it.
    assert snap_compare(replay_app("refused"), press=["space", "space"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_a_deadlock_report(snap_compare, size) -> None:
    assert snap_compare(replay_app("deadlock"), press=["space"] * 12, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_the_tcp_vs_udp_delivery_view(snap_compare, size) -> None:
    async def to_the_end(pilot) -> None:
        screen = pilot.app.screen
        screen.source.step_to_end()
        await pilot.pause()
        await pilot.press("8")
        await pilot.pause()

    assert snap_compare(replay_app("tcp_vs_udp"), run_before=to_the_end, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("steps", [6, 20])
def test_the_tcp_states_tab(snap_compare, size, steps) -> None:
    # Step 6: client-1 connected (ESTAB, SYN-SENT unseen); step 20: the server closed its side
    # (gone, LAST-ACK unseen) and client-1, which closed first, is in TIME-WAIT.
    press = ["space"] * steps + ["9"]
    assert snap_compare(replay_app("tcp_echo_stepped"), press=press, terminal_size=size)

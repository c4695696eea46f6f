"""Every control of the lab, driven by keys (Textual's pilot). Replays where the result must be
exact; a live lab where real processes matter."""

from __future__ import annotations

import functools
import textwrap
from pathlib import Path

import psutil
import pytest

from netlab.core import events as ev
from netlab.core.scenario import load_scenario
from netlab.ui.app import NetlabApp
from netlab.ui.screens.error import ErrorScreen
from netlab.ui.screens.help import HelpScreen
from netlab.ui.screens.home import HomeScreen
from netlab.ui.screens.lab import PACES, LabScreen
from netlab.ui.widgets.ladder_view import LadderView
from netlab.ui.widgets.trace_view import TraceView
from tests.outputs import svg_lines
from tests.ui.conftest import palette_prompts, replay_app, wait_for

pytestmark = pytest.mark.timeout(60)


def outcomes(screen: LabScreen) -> list[ev.Event]:
    return [e for e in screen.timeline.events if e.kind in ev.OUTCOMES]


def children() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if p.status() != "zombie"]


def announced(screen: LabScreen, step: int) -> bool:
    """Whether the live lab has announced the call of ``step``: its conductor then waits for
    that step's grant, so no later step can have been taken."""
    return any(e.kind == ev.CALL and e.step == step for e in screen.timeline.events)


async def test_space_takes_one_step_at_a_time() -> None:
    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        assert outcomes(screen) == []
        for expected in (1, 2, 3):
            await pilot.press("space")
            await pilot.pause()
            assert len(outcomes(screen)) == expected
        assert screen.timeline.latest.step >= 3


async def test_a_live_lab_steps_on_real_sockets_and_leaves_no_process(in_tmp_cwd: Path) -> None:
    app = NetlabApp(scenario="tcp-echo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        await wait_for(pilot, lambda: screen.timeline.events)
        for expected in range(1, 6):
            await pilot.press("space")
            await wait_for(pilot, lambda n=expected: announced(screen, n + 1))
        assert len(outcomes(screen)) == 5
        state = screen.timeline.latest
        listening = state.actors["server"].sockets["server#1"]
        assert listening.state == "listening"
        assert len(children()) == 3  # the server and two clients, real processes
        await pilot.press("q")
    assert children() == []


async def test_play_pause_and_speed() -> None:
    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        start = screen.pace_index
        await pilot.press("plus", "plus")  # faster
        assert screen.pace_index == min(len(PACES) - 1, start + 2)
        await pilot.press("minus", "minus")  # and back to the default pace (0.25 s a step)
        pace = screen.pace_index
        assert pace == start and PACES[pace] == 0.25
        await pilot.press("p")
        assert screen.playing
        await wait_for(pilot, lambda: len(outcomes(screen)) >= 2)  # steps on its own
        await pilot.press("p")
        assert not screen.playing
        await pilot.pause()  # what was already on its way arrives
        taken = len(outcomes(screen))
        # Playing went on at a step every 0.25 s: paused, none comes in two of those. (To see
        # that nothing happens takes a while; two steps' time is the least that shows it.)
        await pilot.pause(2 * PACES[pace])
        assert len(outcomes(screen)) == taken
        assert screen.pace_index == pace
        await pilot.press("space")  # and a step by hand is one step
        await pilot.pause()
        assert len(outcomes(screen)) == taken + 1


async def test_step_back_shows_the_lab_as_it_was() -> None:
    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        for _ in range(8):
            await pilot.press("space")
        await pilot.pause()
        latest = screen.timeline.latest.step
        await pilot.press("b", "b")
        await pilot.pause()
        assert screen.view is not None
        past = screen.timeline.state_at(screen.view)
        assert past.step < latest
        assert "(past)" in str(screen.query_one("#lab-header").render())
        await pilot.press("space")  # stepping goes on from the present
        await pilot.pause()
        assert screen.view is None


async def test_the_trace_cursor_selects_a_moment() -> None:
    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        for _ in range(6):
            await pilot.press("space")
        await pilot.press("home")
        await pilot.pause()
        trace = screen.query_one(TraceView)
        assert trace.cursor == 0
        assert screen.view == trace.rows[0].seq
        await pilot.press("end")
        await pilot.pause()
        assert screen.view is None  # the last row follows the lab again
        await pilot.click(TraceView, offset=(10, 1))  # the mouse, where there is one
        await pilot.pause()
        assert trace.cursor == trace.scroll_offset.y + 1
        assert screen.view == trace.rows[trace.cursor].seq


async def test_restart_begins_again() -> None:
    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(4):
            await pilot.press("space")
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LabScreen)
        assert outcomes(screen) == []


async def test_filter_by_actor_and_kind() -> None:
    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.source.step_to_end()
        await pilot.pause()
        await pilot.press("slash")
        await pilot.press(*"client-1")
        await pilot.press("enter")
        await pilot.pause()
        # Lab-wide rows (the end) stay; every other row is client-1's.
        assert screen.rows and {row.actor for row in screen.rows} - {""} == {"client-1"}
        await pilot.press("slash")
        await pilot.press(*"block")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.rows and {row.kind for row in screen.rows} == {ev.BLOCK}
        await pilot.press("slash")
        await pilot.press(*"client-1 blo nonsense")  # words by their beginnings
        await pilot.press("enter")
        await pilot.pause()
        assert {(row.actor, row.kind) for row in screen.rows} == {("client-1", ev.BLOCK)}
        assert screen.filter.unknown == ("nonsense",)
        assert any("nonsense" in message for _, message in screen.told)


async def test_screenshot_goes_into_a_folder_it_makes(in_tmp_cwd: Path) -> None:
    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "s")
        await pilot.pause()
    pictures = list((in_tmp_cwd / "netlab-screenshots").glob("*.svg"))
    assert len(pictures) == 1 and pictures[0].name.startswith("netlab-tcp-echo-step1-")
    header = svg_lines(pictures[0])[0]  # parsed as XML: the picture of the lab at step 1
    assert header.startswith("tcp-echo") and "  step 1  " in header


async def test_help_opens_and_closes() -> None:
    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, LabScreen)


async def test_tabs_are_reached_with_number_keys() -> None:
    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(3):
            await pilot.press("space")
        for key, tab in zip(
            "123456789",
            ("trace", "code", "strace", "kernel", "bytes", "why", "ladder", "flows", "states"),
            strict=True,
        ):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen.query_one("#tabs").active == tab


async def test_quit_ends_the_app() -> None:
    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.is_running and app.return_code is None
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running  # q ended it, not the end of the test
        assert app.return_code == 0


async def test_home_lists_scenarios_and_opens_one(in_tmp_cwd: Path) -> None:
    mine = in_tmp_cwd / "scenarios"
    mine.mkdir()
    (mine / "my_lab.py").write_text('"""My own lab."""\nfrom netlab import Scenario\n')
    app = NetlabApp()
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        options = app.screen.query_one("#scenarios")
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert "tcp-echo" in ids and str(mine / "my_lab.py") in ids
        # Chapters, theirs first: your own scenarios, then the lessons.
        assert ids[0] is None and ids[1] == str(mine / "my_lab.py") and ids[2] is None
        options.highlighted = ids.index("tcp-echo")
        await pilot.press("enter")  # a built-in lab
        await wait_for(pilot, lambda: isinstance(app.screen, LabScreen))
        assert app.screen.source.info.name == "tcp-echo"
        await pilot.press("q")


async def test_a_scenario_with_an_error_opens_with_the_error_shown(in_tmp_cwd: Path) -> None:
    bad = in_tmp_cwd / "broken.py"
    bad.write_text("from netlab import Scenario\nlab = Scenario('x'\n")
    app = NetlabApp(scenario=str(bad))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        assert "line 2" in app.screen.message or "line 3" in app.screen.message
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_the_command_palette_offers_scenarios_and_actions(in_tmp_cwd: Path) -> None:
    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)):
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Step" in titles and "Step back" in titles and "Screenshot" in titles
    app = NetlabApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"open tcp-echo")
        await wait_for(pilot, lambda: "Open tcp-echo" in palette_prompts(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, LabScreen))
        assert app.screen.source.info.name == "tcp-echo"
        await pilot.press("q")
    assert children() == []


async def test_the_palette_screenshot_goes_into_the_netlab_folder(in_tmp_cwd: Path) -> None:
    app = NetlabApp()
    async with app.run_test(size=(80, 24)) as pilot:
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        commands["Screenshot"].callback()
        await pilot.pause()
        (picture,) = (in_tmp_cwd / "netlab-screenshots").glob("*.svg")
        assert any("tcp-echo" in line for line in svg_lines(picture))  # the home screen's list


async def test_resizing_mid_run_keeps_everything() -> None:
    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(5):
            await pilot.press("space")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.press("space")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert len(outcomes(app.screen)) == 6
        for size in ((30, 10), (200, 60), (80, 24)):  # smaller than anyone should use, and huge
            await pilot.resize_terminal(*size)
            for tab in "123456789":
                await pilot.press(tab)
            await pilot.press("space")
            await pilot.pause()
        assert len(outcomes(app.screen)) == 9


STOPS_EARLY = "This recording stops before the lab's end."


def warnings_shown(app: NetlabApp) -> list[str]:
    screen = app.screen
    assert isinstance(screen, LabScreen)
    return [message for severity, message in screen.told if severity == "warning"]


async def test_a_recording_that_stops_early_is_shown_with_a_warning(tmp_path: Path) -> None:
    from tests.ui.conftest import recording

    lines = recording("tcp_echo").read_text().splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:20]) + "\n")
    app = NetlabApp(recording=cut)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LabScreen)
        assert warnings_shown(app) == [STOPS_EARLY]
        app.screen.source.step_to_end()
        await pilot.pause()
        assert app.screen.timeline.latest.outcome is None
        assert len(app.screen.timeline.events) == 19  # the events it has, shown
    whole = replay_app("tcp_echo")  # and a whole recording has no such warning
    async with whole.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert STOPS_EARLY not in warnings_shown(whole)


WIDE = textwrap.dedent('''
    """Many clients."""
    from netlab import Scenario
    lab = Scenario("many")

    @lab.actor("server")
    def server(ctx):
        pass

    @lab.actor("client", count=6)
    def client(ctx):
        pass
''')


async def test_seven_actors_fit_at_80_columns(in_tmp_cwd: Path) -> None:
    path = in_tmp_cwd / "many.py"
    path.write_text(WIDE)
    app = NetlabApp(scenario=str(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.query(".actor-panel")) == 7)
        await pilot.pause()
        panels = list(app.screen.query(".actor-panel"))
        assert len(panels) == 7
        assert all(panel.region.right <= 80 for panel in panels)
        await pilot.press("q")


async def test_each_space_is_exactly_one_step_and_pausing_grants_none(in_tmp_cwd: Path) -> None:
    app = NetlabApp(scenario="tcp-echo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.timeline.events)
        for expected in range(1, 5):
            await pilot.press("space")
            await wait_for(pilot, lambda n=expected: announced(screen, n + 1))
            assert len(outcomes(screen)) == expected
        screen.source.pause()  # switching to step mode is not a step
        screen.source.pause()
        await pilot.press("space")  # taken after both: had they granted steps, 7 would be
        await wait_for(pilot, lambda: announced(screen, 6))
        assert len(outcomes(screen)) == 5
        await pilot.press("q")


async def test_q_on_home_quits() -> None:
    app = NetlabApp()
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_a_failed_call_shows_its_errno_name_first() -> None:
    app = replay_app("refused")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "space")
        await pilot.pause()
        trace = app.screen.query_one(TraceView)
        row = next(r for r in trace.rows if r.kind == ev.RAISE)
        shown = trace.row_text(row).plain
        assert shown.index("ECONNREFUSED") < 80 - 2
        assert "ConnectionRefusedError" in shown


async def test_restarting_a_live_lab_leaves_only_the_new_processes(in_tmp_cwd: Path) -> None:
    app = NetlabApp(scenario="tcp-echo")
    async with app.run_test(size=(80, 24)) as pilot:
        first = app.screen
        assert isinstance(first, LabScreen)
        await wait_for(pilot, lambda: len(children()) == 3)
        await pilot.press("space", "space")
        await wait_for(pilot, lambda: len(outcomes(first)) >= 2)
        old = {p.pid for p in children()}
        await pilot.press("r")
        await wait_for(pilot, lambda: app.screen is not first)
        second = app.screen
        assert isinstance(second, LabScreen)
        await wait_for(pilot, lambda: len(children()) == 3)
        assert not old & {p.pid for p in children()}
        assert outcomes(second) == []  # from the first step again
        await pilot.press("q")
    assert children() == []


@pytest.mark.timeout(20)
async def test_a_scenario_that_loops_as_it_loads_is_reported(
    in_tmp_cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loader's own limit (5 s) is tested by the command line's test; here, a shorter one.
    shorter = functools.partial(load_scenario, time_limit=0.5)
    monkeypatch.setattr("netlab.ui.live_lab.load_scenario", shorter)
    (in_tmp_cwd / "loops.py").write_text('"""Loops."""\nwhile True:\n    pass\n')
    app = NetlabApp(scenario=str(in_tmp_cwd / "loops.py"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorScreen))
        assert "still loading after 0.5 s" in app.screen.message
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("q")


async def test_a_live_lab_shows_the_kernels_state_now_and_as_it_was(in_tmp_cwd: Path) -> None:
    app = NetlabApp(scenario="tcp-echo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        await wait_for(pilot, lambda: screen.timeline.events)
        for expected in range(1, 5):  # socket, bind, listen; a client's socket
            await pilot.press("space")
            await wait_for(pilot, lambda n=expected: len(outcomes(screen)) >= n)
        await pilot.pause()
        assert "LISTEN" in app.export_screenshot()  # read from /proc/net/tcp
        await pilot.press("b")  # the past: the kernel's view as the log kept it then
        await pilot.pause()
        assert "LISTEN" in app.export_screenshot()  # after listen(), as the log kept it
        await pilot.press("b")  # bound, not listening: the kernel lists no such socket
        await pilot.pause()
        picture = app.export_screenshot()
        assert "LISTEN" not in picture and "bound" in picture
        await pilot.press("q")
    assert children() == []


async def test_one_live_lab_at_a_time_and_back_home(in_tmp_cwd: Path) -> None:
    app = NetlabApp(scenario="tcp-echo")
    async with app.run_test(size=(80, 24)) as pilot:
        first = app.screen
        assert isinstance(first, LabScreen)
        await wait_for(pilot, lambda: len(children()) == 3)
        old = {p.pid for p in children()}
        app.open_scenario("udp-echo")  # as the palette does, from a lab
        await wait_for(pilot, lambda: app.screen is not first)
        assert app.screen.source.info.name == "udp-echo"
        await wait_for(pilot, lambda: first.source.finished)  # the lab it replaced was stopped
        await wait_for(pilot, lambda: not old & {p.pid for p in children()})  # its processes
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await wait_for(pilot, lambda: children() == [])
        await pilot.press("q")


async def test_play_at_the_end_says_so_and_does_not_play() -> None:
    app = replay_app("refused")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.source.step_to_end()
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert not screen.playing
        assert any("r restarts" in message for _, message in screen.told)


async def test_a_threaded_server_s_threads_get_panels_of_their_own(in_tmp_cwd: Path) -> None:
    from netlab.ui.widgets.actor_panel import ActorPanel

    threaded = Path(__file__).parent.parent / "scenarios" / "threads_per_client.py"
    app = NetlabApp(scenario=str(threaded))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        await wait_for(pilot, lambda: screen.timeline.events)
        await pilot.press("e")  # to the end
        await wait_for(pilot, lambda: screen.timeline.latest.outcome is not None)
        await pilot.pause()
        titles = [str(panel.border_title) for panel in screen.query(ActorPanel)]
        assert titles == [
            "server",
            "client-1",
            "client-2",
            "Thread-1 of server",
            "Thread-2 of server",
        ]
        state = screen.timeline.latest
        assert state.outcome == "completed"
        assert state.actors["server/Thread-1"].status == "done"
        assert state.actors["server/Thread-1"].sockets == {}  # the server's, kept there
        await pilot.press("q")
    assert children() == []


async def test_a_lab_opened_with_args_runs_with_them(in_tmp_cwd: Path) -> None:
    app = NetlabApp(scenario="tcp-vs-udp", args={"count": 3})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        await wait_for(pilot, lambda: screen.timeline.events)
        assert screen.source.conductor.args["count"] == 3  # type: ignore[attr-defined]
        await pilot.press("e")
        await wait_for(pilot, lambda: screen.source.finished, timeout=20)
        said = [e.text for e in screen.timeline.events if e.kind == ev.OUTPUT]
        assert "TCP: 3 messages, in order" in said, said
        await pilot.press("q")


@pytest.mark.parametrize("tab", ["2", "4", "6", "7", "8"])
async def test_the_trace_keys_choose_the_step_on_every_tab(tab: str) -> None:
    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        for _ in range(8):
            await pilot.press("space")
        await pilot.press(tab)
        await pilot.pause()
        trace = screen.query_one(TraceView)
        last = trace.cursor
        await pilot.press("up", "up")
        await pilot.pause()
        assert trace.cursor == last - 2 and screen.view == trace.rows[trace.cursor].seq
        await pilot.press("down")
        await pilot.pause()
        assert trace.cursor == last - 1
        await pilot.press("home")
        await pilot.pause()
        assert trace.cursor == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert trace.cursor == min(10, last)
        await pilot.press("end")
        await pilot.pause()
        assert screen.view is None  # following the lab again


async def test_forward_goes_back_the_way_back_came() -> None:
    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        for _ in range(6):
            await pilot.press("space")
        await pilot.pause()
        steps = []
        for key in ("b", "b", "b", "f", "f", "f"):
            await pilot.press(key)
            await pilot.pause()
            steps.append(screen._steps_done(screen._count()))
        assert steps == [5, 4, 3, 4, 5, 6]
        assert screen.view is None  # back at the latest step, following the lab


async def test_the_ladder_follows_the_chosen_step() -> None:
    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        await pilot.press("e", "7")
        await pilot.pause()
        ladder = screen.query_one(LadderView)
        at_end = ladder._rungs[-1].step
        await pilot.press("home", "pagedown")
        await pilot.pause()
        chosen = screen._steps_done(screen._count())
        assert ladder._rungs[-1].step <= chosen < at_end  # drawn up to the chosen step


async def test_what_the_lab_says_takes_a_line_of_its_own_one_message_at_a_time() -> None:
    from netlab.ui.widgets.status_line import StatusLine

    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        for _ in range(8):
            await pilot.press("space")
        status = screen.query_one(StatusLine)
        trace = screen.query_one(TraceView)
        assert not status.display  # nothing to say: no row taken
        await pilot.press("minus", "minus", "minus", "minus", "minus")
        await pilot.pause()
        # The last one only, and it says so when there is no slower pace.
        assert status.display and status.message == "pace: 2 s a step (the slowest)"
        assert not app._notifications  # no toast over the trace
        assert status.region.y >= trace.region.bottom  # below the trace, not over it
        await pilot.press("slash", *"client-1", "enter")
        assert status.message.startswith("showing")
        status._forget()  # the filter's message has had its time (its timer, without the wait)
        assert status.message == "" and status.display
        assert "filter: client-1" in str(status.render())
        await pilot.press("slash", "ctrl+u", "enter")  # an empty filter: every row again
        status._forget()
        assert not status.display, (status.message, status.lasting)


@pytest.mark.parametrize(("size", "small"), [((60, 20), True), ((80, 24), False)])
async def test_a_window_smaller_than_the_lab_needs_is_told_so(
    size: tuple[int, int], small: bool
) -> None:
    from netlab.ui.widgets.status_line import StatusLine

    app = replay_app("tcp_echo")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        status = app.screen.query_one(StatusLine)
        said = str(status.render())
        assert status.display is small
        if small:
            assert said == "window 60×20, made for 80×24: ? Help, q Quit"


def _seen(screen: LabScreen) -> dict[str, object]:
    """What the panels show of each actor, and the kernel's rows, at the moment shown."""
    state = screen.timeline.state_at(screen._count())
    actors = {
        name: (a.status, a.call.op if a.call else None, {s.id: s.state for s in a.sockets.values()})
        for name, a in state.actors.items()
    }
    return {"actors": actors, "kernel": state.kernel, "step": screen._steps_done(screen._count())}


async def test_a_step_looked_back_at_shows_what_it_showed_when_it_was_taken() -> None:
    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LabScreen)
        seen_then = {}
        for step in range(1, 20):
            await pilot.press("space")
            await pilot.pause()
            seen_then[step] = _seen(screen)
        for step in range(18, 10, -1):  # back, one step at a time
            await pilot.press("b")
            await pilot.pause()
            assert _seen(screen) == seen_then[step], step
        for step in range(12, 19):  # and forward again
            await pilot.press("f")
            await pilot.pause()
            assert _seen(screen) == seen_then[step], step


async def test_a_tab_longer_than_its_pane_scrolls_from_the_keyboard() -> None:
    from textual.containers import VerticalScroll

    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e", "8")  # Delivery at the end: four flows, their strips, the legend
        await pilot.pause()
        pane = app.screen.query_one("#flows VerticalScroll", VerticalScroll)
        assert pane.max_scroll_y > 0, "the text fits: nothing to scroll in this test"
        await pilot.press("shift+down", "shift+down")
        await pilot.pause()
        assert pane.scroll_y == 2
        await pilot.press("shift+up")
        await pilot.pause()
        assert pane.scroll_y == 1


def _copy_echo_pair(folder: Path) -> None:
    programs = Path(__file__).parent.parent / "programs"
    for name in ("echo_server.py", "echo_client.py"):
        (folder / name).write_text((programs / name).read_text())


async def test_your_own_programs_are_picked_from_home_with_their_arguments(
    in_tmp_cwd: Path,
) -> None:
    from netlab.core.ports import LOOPBACK, free_ports
    from netlab.ui.screens.programs import ProgramsScreen

    _copy_echo_pair(in_tmp_cwd)
    port = free_ports(1, LOOPBACK)[0]
    app = NetlabApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, ProgramsScreen)
        # The folder's files, sorted: echo_client.py, then echo_server.py. The server first.
        await pilot.press("down", "down", "enter", *f"127.0.0.1 {port}", "enter")
        await pilot.press("up", "enter", *f"127.0.0.1 {port}", "enter")
        await pilot.pause()
        chosen = app.screen.chosen
        assert [Path(c.split()[0]).name for c in chosen] == ["echo_server.py", "echo_client.py"]
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, LabScreen))
        screen = app.screen
        assert isinstance(screen, LabScreen)
        await wait_for(pilot, lambda: screen.timeline.events)
        await pilot.press("e")
        await wait_for(pilot, lambda: screen.source.finished, timeout=20)
        printed = [e.text for e in screen.timeline.events if e.kind == ev.OUTPUT]
        assert "Received b'Hello, world'" in printed
        assert [type(s).__name__ for s in app.screen_stack][-2:] == ["HomeScreen", "LabScreen"]
        await pilot.press("q")
    assert children() == []


async def test_a_folder_of_programs_asks_their_arguments_servers_first(in_tmp_cwd: Path) -> None:
    from netlab.core.ports import LOOPBACK, free_ports
    from netlab.ui.screens.programs import ProgramsScreen

    _copy_echo_pair(in_tmp_cwd)
    (in_tmp_cwd / "libhelper.py").write_text("X = 1\n")  # a module beside them: not a program
    port = free_ports(1, LOOPBACK)[0]
    app = NetlabApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f", "o")  # the folder itself is highlighted
        await pilot.pause()
        programs = app.screen
        assert isinstance(programs, ProgramsScreen)
        await pilot.press(*"'127.0.0.1", "enter")  # an unbalanced quote: said at once
        await pilot.pause()
        assert programs.chosen == [] and "do not parse" in str(
            programs.query_one("#chosen").render()
        )
        await pilot.press("ctrl+u", *f"127.0.0.1 {port}", "enter")  # echo_server.py
        await pilot.press(*f"127.0.0.1 {port}", "enter")  # then echo_client.py
        await wait_for(pilot, lambda: isinstance(app.screen, LabScreen))
        screen = app.screen
        assert isinstance(screen, LabScreen)
        assert screen.source.loaded.scenario.actor_names() == ["echo_server", "echo_client"]
        await pilot.press("q")


async def test_going_from_tab_to_tab_keeps_no_footer_keys_taken_away() -> None:
    """The footer composes its keys again at each tab; those it took away are let go (Textual's
    own footer kept them all, 270 KB a change, textual#6666)."""
    import gc

    from textual.widgets._footer import FooterKey

    app = replay_app("tcp_echo")
    async with app.run_test(size=(80, 24)) as pilot:
        for key in "123456789" * 4:
            await pilot.press(key)
        await pilot.pause()
        gc.collect()
        alive = sum(isinstance(thing, FooterKey) for thing in gc.get_objects())
        shown = sum(len(screen.query(FooterKey)) for screen in app.screen_stack)
        assert alive <= shown + 20  # some wait for the collector; Textual's own left 208
        await pilot.press("q")


async def test_a_long_log_s_delivery_is_drawn_by_a_worker_as_it_is_drawn_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over _LONG_LOG events the tab is drawn by a worker thread while keys are answered; what
    it shows in the end is what the tab draws at once on a short log."""
    import io

    from rich.console import Console
    from textual.widgets import Static

    from netlab.ui.screens import lab

    async def delivery_text(long_log: int) -> str:
        monkeypatch.setattr(lab, "_LONG_LOG", long_log)
        app = replay_app("tcp_vs_udp")
        async with app.run_test(size=(100, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, LabScreen)
            await pilot.press("e", "8")
            await wait_for(pilot, lambda: not screen._heavy_busy)
            await pilot.pause()
            console = Console(width=100, record=True, file=io.StringIO())
            console.print(screen.query_one("#flows-view", Static).content)
            text = console.export_text()
            await pilot.press("q")
            return text

    at_once, by_worker = await delivery_text(10**9), await delivery_text(10)
    assert "Reading the" not in by_worker and "UDP" in at_once
    assert by_worker == at_once

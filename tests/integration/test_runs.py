"""Labs run for real: actor processes, loopback sockets, the conductor's schedule and clock."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import psutil
import pytest

from netlab.core import events as ev
from netlab.core import reducer
from netlab.core.conductor import (
    COMPLETED,
    CRASHED,
    DEADLOCK,
    PLAY,
    STEP,
    STOPPED,
    TIMEOUT,
    Conductor,
)
from netlab.core.events import Event
from netlab.core.scenario import load_scenario

pytestmark = pytest.mark.timeout(30)
LABS = Path(__file__).parent.parent / "scenarios"


def run(name: str, **kwargs: object) -> Conductor:
    ref = str(LABS / f"{name}.py") if (LABS / f"{name}.py").exists() else name
    conductor = Conductor(load_scenario(ref), **kwargs)  # type: ignore[arg-type]
    conductor.run()
    return conductor


def outputs(conductor: Conductor, actor: str) -> list[str]:
    return [e.text for e in conductor.events if e.kind == ev.OUTPUT and e.actor == actor]


def actor_pids(conductor: Conductor) -> list[int]:
    return [e.result for e in conductor.events if e.kind == ev.ACTOR_START]


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def find(conductor: Conductor, kind: str, op: str, actor: str | None = None) -> list[Event]:
    return [
        e
        for e in conductor.events
        if e.kind == kind and e.op == op and (actor is None or e.actor == actor)
    ]


def test_tcp_echo_completes_and_the_state_is_computed_from_the_events() -> None:
    conductor = run("tcp-echo")
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    state = reducer.reduce(conductor.events)
    assert state.outcome == COMPLETED
    assert {a.status for a in state.actors.values()} == {reducer.DONE}
    server = state.actors["server"]
    assert [s.bytes_in for s in server.sockets.values()] == [0, 19, 19]
    assert outputs(conductor, "client-1") == ["received b'hello from client-1'"]
    said = next(e.text for e in conductor.events if e.kind == ev.NOTE and e.op == "say")
    assert said.startswith("connected by")
    seqs = [e.seq for e in conductor.events]
    assert seqs == list(range(1, len(seqs) + 1))
    call = find(conductor, ev.CALL, "bind")[0]
    assert call.source is not None and call.source[0] == "tcp_echo.py"


def test_a_deadlock_ends_with_a_report_naming_each_actor_and_its_call() -> None:
    conductor = run("deadlock")
    assert conductor.outcome.kind == DEADLOCK, conductor.outcome.message  # not its time limit
    report = next(e for e in conductor.events if e.kind == ev.DEADLOCK).text
    assert "server is blocked in recv() on server#2" in report
    assert "client is blocked in recv() on client#1" in report


def test_one_actor_alone_blocked_in_recvfrom_is_a_deadlock() -> None:
    conductor = run("lonely_recvfrom")
    assert conductor.outcome.kind == DEADLOCK, conductor.outcome.message
    report = next(e for e in conductor.events if e.kind == ev.DEADLOCK).text
    assert report == "server is blocked in recvfrom() on server#1"
    assert conductor.outcome.message == f"{report}; nothing can happen any more"


def test_the_deadlock_report_says_how_many_bytes_an_actor_cannot_send() -> None:
    """32 MiB sent over the modelled link to a server that never reads: what the kernel's
    buffers could not take is still the client's to send when nothing else can happen."""
    conductor = run("stuck_backlog")
    assert conductor.outcome.kind == DEADLOCK, conductor.outcome.message
    report = next(e for e in conductor.events if e.kind == ev.DEADLOCK).text
    server, client = report.split("; ")
    assert server == "server is blocked in accept() on server#1"
    found = re.fullmatch(
        r"client is blocked in recv\(\) on client#1 with (\d+) bytes it cannot send", client
    )
    assert found, client
    assert 0 < int(found[1]) < 32 << 20  # loopback buffers hold some megabytes, not all


def test_an_actor_that_raises_is_an_event_and_the_others_are_stopped() -> None:
    conductor = run("crash")
    assert conductor.outcome.kind == CRASHED
    assert "client raised RuntimeError: the client gave up" in conductor.outcome.message
    exit_event = next(e for e in conductor.events if e.kind == ev.ACTOR_EXIT)
    assert exit_event.actor == "client"
    assert exit_event.text.startswith("Traceback (most recent call last):")
    assert 'File "crash.py", line 24, in client' in exit_event.text
    assert "netlab" not in exit_event.text  # netlab's own frames are left out
    assert conductor.events[-1].kind == ev.END


def test_an_endless_loop_is_stopped_by_the_time_limit() -> None:
    conductor = run("spin", time_limit=1.0)
    assert conductor.outcome.kind == TIMEOUT
    assert "server has made no socket call since listen() returned" in conductor.outcome.message
    assert conductor.events[-1].wtime >= 1.0  # not before its limit
    assert [pid for pid in actor_pids(conductor) if not gone(pid)] == []  # and it ended


def test_timeouts_and_sleeps_run_on_the_virtual_clock() -> None:
    conductor = run("timeouts")
    blocked = find(conductor, ev.BLOCK, "recvfrom", "server")[0]
    raised = find(conductor, ev.RAISE, "recvfrom", "server")[0]
    assert raised.vtime == pytest.approx(2.0)
    assert raised.error == "TimeoutError: timed out"
    assert raised.wtime - blocked.wtime < 2.0  # a virtual 2 s, not a real one
    slept = find(conductor, ev.RETURN, "sleep", "sleeper")
    assert [e.vtime for e in slept] == [pytest.approx(5.0), pytest.approx(6.5)]
    went = find(conductor, ev.BLOCK, "sleep", "sleeper")
    assert slept[1].wtime - went[0].wtime < 6.5  # both sleeps together, less than 6.5 s
    assert outputs(conductor, "server") == ["timed out"]


def test_a_selectors_server_with_three_clients() -> None:
    conductor = run("multiconn")
    assert conductor.outcome.kind == COMPLETED, conductor.outcome.message
    for n in (1, 2, 3):
        assert outputs(conductor, f"client-{n}") == [f"message from client-{n}"]
    assert find(conductor, ev.RETURN, "register", "server")
    assert any(e.kind == ev.YIELD for e in conductor.events)  # the polling server gave way


def test_errors_by_name_codes_udp_and_printed_escapes() -> None:
    conductor = run("calls")
    assert conductor.outcome.kind == COMPLETED, conductor.outcome.message
    refused = find(conductor, ev.RAISE, "connect", "client")[0]
    assert refused.errno == "ECONNREFUSED"
    assert refused.error.startswith("ConnectionRefusedError")
    assert outputs(conductor, "client") == [
        "refused",
        "connect_ex 115",  # EINPROGRESS on a non-blocking socket, as from the kernel
        "b'PING'",
        "\x1b]0;title\x07 escape",  # kept as printed; every view shows it through visible()
    ]
    received = find(conductor, ev.RETURN, "recvfrom", "server")[0]
    assert received.data == b"ping" and received.sock is not None
    assert received.sock.type == "SOCK_DGRAM"


def masked(conductor: Conductor) -> list[tuple[object, ...]]:
    """The trace without what changes between runs: ports, process ids and times."""
    rows = []
    for e in conductor.events:
        text = re.sub(r"'127\.0\.0\.1', \d+", "'127.0.0.1', PORT", repr((e.args, e.result, e.data)))
        if e.kind == ev.ACTOR_START:
            text = ""
        rows.append((e.seq, e.kind, e.actor, e.op, e.step, e.errno, text, e.vtime))
    return rows


@pytest.mark.parametrize(
    "name", ["tcp-echo", "udp-echo", "multiconn", "calls", "streams", "timeouts", "deadlock"]
)
def test_the_same_scenario_and_seed_give_the_same_trace(name: str) -> None:
    assert masked(run(name)) == masked(run(name))


def test_step_mode_grants_one_step_at_a_time_and_stop_ends_everything() -> None:
    """Once the call of step n + 1 is announced, the conductor waits for its grant: nothing
    more can happen, so the steps taken by then are all there will be."""
    arrived: list[Event] = []
    announced = threading.Condition()

    def on_event(event: Event) -> None:
        with announced:
            arrived.append(event)
            announced.notify_all()

    def outcomes_once_step_is_announced(step: int) -> int:
        with announced:
            assert announced.wait_for(
                lambda: any(e.kind == ev.CALL and e.step == step for e in arrived), timeout=15
            ), f"step {step} was never announced; last event: {arrived[-1:]}"
            return len([e for e in arrived if e.kind in ev.OUTCOMES])

    conductor = Conductor(load_scenario("tcp-echo"), mode=STEP, on_event=on_event)
    thread = threading.Thread(target=conductor.run)
    thread.start()
    try:
        assert outcomes_once_step_is_announced(1) == 0
        for expected in (1, 2, 3, 4, 5):
            conductor.step()
            assert outcomes_once_step_is_announced(expected + 1) == expected
        pids = [e.result for e in arrived if e.kind == ev.ACTOR_START]
    finally:
        conductor.stop()
        thread.join(timeout=15)
    assert not thread.is_alive(), "the conductor did not end when stopped"
    assert conductor.outcome.kind == STOPPED
    assert [pid for pid in pids if not gone(pid)] == []


def test_stepping_records_what_the_kernel_says_about_the_lab_sockets() -> None:
    played = run("tcp-echo", mode=PLAY, pace=0.05)  # a person's pace
    assert played.outcome.kind == COMPLETED
    kernel = [e for e in played.events if e.kind == ev.KERNEL]
    assert kernel, "a lab stepped or played keeps the kernel's view"
    seen = [row for e in kernel for row in e.extra["sockets"].values()]
    assert any(row[0] == "LISTEN" for row in seen) and any(row[0] == "ESTAB" for row in seen)
    # A client's hello waits in the server's receive queue until the server reads it.
    hello = find(played, ev.RETURN, "recv", "server")[0]
    before = reducer.reduce(played.events[: hello.seq - 1])
    assert before.kernel[hello.sock.id].recv_queue == hello.data_len
    after = reducer.reduce(played.events[: hello.seq + 1])
    assert after.kernel[hello.sock.id].recv_queue == 0
    # Running freely, the actors go on while the tables would be read: nothing is kept.
    assert not [e for e in run("tcp-echo").events if e.kind == ev.KERNEL]

    # Played on at full speed, one event says that the kernel's view is not known from there.
    def full_speed_after_five_steps(event: Event) -> None:
        if event.kind in ev.OUTCOMES and event.step == 5:
            sped_up.set_pace(0.0)

    sped_up = Conductor(
        load_scenario("tcp-echo"), mode=PLAY, pace=0.05, on_event=full_speed_after_five_steps
    )
    sped_up.run()
    kernel = [e for e in sped_up.events if e.kind == ev.KERNEL]
    assert kernel[-1].extra == {"sockets": None} and kernel[-1].step <= 6
    assert reducer.reduce(sped_up.events).kernel is None


def test_an_actor_that_polls_lets_the_clock_reach_a_timeout() -> None:
    conductor = run("poll_until_timeout", time_limit=10.0)
    assert conductor.outcome.kind == COMPLETED, conductor.outcome.message
    assert outputs(conductor, "server") == ["no datagram"]
    assert outputs(conductor, "client") == ["b'HELLO'"]
    timed_out = [e for e in conductor.events if e.kind == ev.WAKE and e.result == "timeout"]
    assert [e.vtime for e in timed_out] == [2.0]


def test_a_udp_lab_keeps_the_kernel_s_view_of_its_udp_sockets() -> None:
    played = run("udp-echo", mode=PLAY, pace=0.05)
    seen = [
        row for e in played.events if e.kind == ev.KERNEL for row in e.extra["sockets"].values()
    ]
    assert seen and {row[0] for row in seen} <= {"UNCONN", "ESTAB"}


def _steps(events: list[Event]) -> list[tuple[object, ...]]:
    """Each step as a student names it: its number, actor, call and how it ended (no ports)."""
    return [
        (e.step, e.actor, e.kind, e.op, e.data_len, e.errno, e.vtime)
        for e in events
        if e.kind in ev.OUTCOMES
    ]


def test_a_step_is_the_same_call_however_the_lab_is_driven(tmp_path: Path) -> None:
    """Run freely, played, stepped one grant at a time, or run for an export (netlab export
    runs it headless and keeps the log): step N is the same call with the same result."""
    from netlab.core.recording import read_recording
    from netlab.headless import run_headless

    lab = {"seed": 7, "link": "mobile-3g"}
    freely = _steps(run("tcp-vs-udp", **lab).events)
    played = _steps(run("tcp-vs-udp", mode=PLAY, pace=0.0, **lab).events)
    stepped = Conductor(load_scenario("tcp-vs-udp"), mode=STEP, **lab)  # type: ignore[arg-type]
    thread = threading.Thread(target=stepped.run)
    thread.start()
    while thread.is_alive():  # a grant whenever the last one was used: as fast as keys come
        stepped.step()
        thread.join(0.001)
    log = tmp_path / "events.jsonl"
    run_headless(
        "tcp-vs-udp",
        seed=7,
        link="mobile-3g",
        as_json=False,
        record=log,
        time_limit=30.0,
        args={},
        out=io.StringIO(),
    )
    exported = _steps(read_recording(log).events)
    assert len(freely) > 400
    assert played == freely
    assert _steps(stepped.events) == freely
    assert exported == freely


def test_the_kernel_s_view_at_each_step_is_the_same_every_run() -> None:
    """Played at a person's pace over a lossy link, the kernel's state and queues recorded
    after each step are the same run after run (read when the step happens, not later)."""

    def kernel_views() -> list[tuple[int, object]]:
        played = run("tcp-echo", mode=PLAY, pace=0.05, link="lossy-wifi", seed=1)
        views, step = [], 0
        for event in played.events:
            step = event.step if event.kind in ev.OUTCOMES else step
            if event.kind == ev.KERNEL:
                rows = event.extra["sockets"] or {}
                views.append((step, sorted((k, tuple(v)) for k, v in rows.items())))
        return views

    first = kernel_views()
    assert any("TIME-WAIT" in str(view) for view in first)
    assert kernel_views() == first


@pytest.mark.parametrize("name", ["tcp-vs-udp", "udp-echo", "threading_server", "multiconn"])
def test_the_call_announced_last_is_the_one_the_next_step_carries_out(name: str) -> None:
    """Stepping, the lab waits for the user with the next call announced (its call, or the wake
    of a blocked call): the last such event names the actor whose call the next step is."""
    events = run(name).events
    announced: Event | None = None
    checked = 0
    for event in events:
        compound = event.extra.get("compound")
        if event.kind in (ev.CALL, ev.WAKE) and not compound:
            announced = event
        elif event.kind in ev.OUTCOMES and not compound:
            assert announced is not None and announced.actor == event.actor, (announced, event)
            announced, checked = None, checked + 1
    assert checked > 20


def test_the_delivery_of_a_long_udp_lab_is_worked_out_in_time() -> None:
    """Reads are matched to datagrams in one pass: 10,000 of them in well under a second (it
    was quadratic: 20 s, and the Delivery tab redraws it as a lab plays)."""
    import time

    from netlab.core.analysis import analyse

    lab = Path(__file__).parent.parent.parent / "bench" / "many_steps.py"
    conductor = Conductor(load_scenario(str(lab)), args={"steps": 20_000}, time_limit=60)
    conductor.run()
    started = time.perf_counter()
    (flow,) = analyse(conductor.events).flows
    assert time.perf_counter() - started < 3.0
    assert (flow.sent, flow.delivered) == (10_000, 10_000)

"""Labs run for real: actor processes, loopback sockets, the conductor's schedule and clock."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest

from netlab.core import events as ev
from netlab.core import reducer
from netlab.core.conductor import COMPLETED, CRASHED, DEADLOCK, STEP, STOPPED, TIMEOUT, Conductor
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
    assert next(e.text for e in conductor.events if e.kind == ev.NOTE).startswith("connected by")
    seqs = [e.seq for e in conductor.events]
    assert seqs == list(range(1, len(seqs) + 1))
    call = find(conductor, ev.CALL, "bind")[0]
    assert call.source is not None and call.source[0] == "tcp_echo.py"


def test_a_deadlock_ends_with_a_report_naming_each_actor_and_its_call() -> None:
    started = time.monotonic()
    conductor = run("deadlock")
    assert time.monotonic() - started < 5
    assert conductor.outcome.kind == DEADLOCK
    report = next(e for e in conductor.events if e.kind == ev.DEADLOCK).text
    assert "server is blocked in recv() on server#2" in report
    assert "client is blocked in recv() on client#1" in report


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
    started = time.monotonic()
    conductor = run("spin", time_limit=1.0)
    assert conductor.outcome.kind == TIMEOUT
    assert "server has made no socket call since listen() returned" in conductor.outcome.message
    assert time.monotonic() - started < 2.5  # a 1 s limit, and the processes ended


def test_timeouts_and_sleeps_run_on_the_virtual_clock() -> None:
    started = time.monotonic()
    conductor = run("timeouts")
    assert time.monotonic() - started < 3  # 8.5 virtual seconds, at once
    raised = find(conductor, ev.RAISE, "recvfrom", "server")[0]
    assert raised.vtime == pytest.approx(2.0)
    assert raised.error == "TimeoutError: timed out"
    slept = find(conductor, ev.RETURN, "sleep", "sleeper")
    assert [e.vtime for e in slept] == [pytest.approx(5.0), pytest.approx(6.5)]
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
    arrived: list[Event] = []
    conductor = Conductor(load_scenario("tcp-echo"), mode=STEP, on_event=arrived.append)
    thread = threading.Thread(target=conductor.run)
    thread.start()

    def settled() -> int:
        last, count = -1, 0
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            count = len([e for e in arrived if e.kind in ev.OUTCOMES])
            if count == last:
                return count
            last = count
            time.sleep(0.2)
        return count

    assert settled() == 0
    for expected in (1, 2, 3, 4, 5):
        conductor.step()
        assert settled() == expected
    started = time.monotonic()
    conductor.stop()
    thread.join(timeout=3)
    assert not thread.is_alive()
    assert time.monotonic() - started < 1.5
    assert conductor.outcome.kind == STOPPED

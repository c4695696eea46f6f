"""Does a traced actor see what the kernel would show it untraced? Streams, flags, timeouts,
full buffers, the ways a process ends, and what it may print.

Tests marked ``xfail(strict=True)`` show bugs found in netlab: each passes once the bug is fixed
(and then fails as XPASS, so that its mark is removed).
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import psutil
import pytest

from netlab.core import events as ev
from netlab.core import reducer
from netlab.core.conductor import COMPLETED, CRASHED, DEADLOCK, STOPPED, Conductor
from netlab.core.events import Event
from netlab.core.scenario import load_scenario

pytestmark = pytest.mark.timeout(30)
LABS = Path(__file__).parent.parent / "scenarios"


def run(name: str, **kwargs: object) -> Conductor:
    conductor = Conductor(load_scenario(str(LABS / f"{name}.py")), **kwargs)  # type: ignore[arg-type]
    conductor.run()
    return conductor


def outputs(conductor: Conductor, actor: str, stream: str | None = None) -> list[str]:
    return [
        e.text
        for e in conductor.events
        if e.kind == ev.OUTPUT and e.actor == actor and (stream is None or e.op == stream)
    ]


def find(conductor: Conductor, kind: str, op: str, actor: str | None = None) -> list[Event]:
    return [
        e
        for e in conductor.events
        if e.kind == kind and e.op == op and (actor is None or e.actor == actor)
    ]


def actor_pids(conductor: Conductor) -> list[int]:
    return [e.result for e in conductor.events if e.kind == ev.ACTOR_START]


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_makefile_recv_into_shutdown_and_timeouts_on_the_virtual_clock() -> None:
    conductor = run("streams")
    assert conductor.outcome.kind == COMPLETED, conductor.outcome.message
    assert outputs(conductor, "server", "stdout") == [
        "accept timed out",
        "select ([], [], [])",
        "line b'hello\\n'",
        "into b'rest'",
    ]
    assert outputs(conductor, "server", "stderr") == ["to stderr"]
    assert outputs(conductor, "client") == ["eof b''"]
    accept_timeout = find(conductor, ev.RAISE, "accept", "server")[0]
    assert (accept_timeout.vtime, accept_timeout.error) == (3.0, "TimeoutError: timed out")
    # The client's sleep(6) was virtual: over at 6.0 on the lab's clock, sooner on the wall's.
    went = find(conductor, ev.BLOCK, "sleep", "client")[0]
    woke = find(conductor, ev.RETURN, "sleep", "client")[0]
    assert (went.vtime, woke.vtime) == (0.0, 6.0) and woke.wtime - went.wtime < 6.0
    select_timeout = find(conductor, ev.RETURN, "select", "server")[0]
    assert select_timeout.vtime == 5.5 and select_timeout.result == [[], [], []]
    state = reducer.reduce(conductor.events)
    conn = state.actors["server"].sockets["server#2"]
    assert (conn.bytes_in, conn.state) == (10, reducer.CLOSED)
    assert state.actors["client"].sockets["client#1"].bytes_out == 10
    shut = find(conductor, ev.RETURN, "shutdown", "server")[0]
    assert shut.args == ("SHUT_WR",)


def test_a_shut_down_socket_is_shown_so_until_it_is_closed() -> None:
    conductor = run("streams")
    shut_at = next(
        i for i, e in enumerate(conductor.events) if e.op == "shutdown" and e.kind == ev.RETURN
    )
    state = reducer.reduce(conductor.events[: shut_at + 1])
    assert state.actors["server"].sockets["server#2"].state == reducer.SHUT


def test_socket_options_are_shown_by_their_names() -> None:
    conductor = run("streams")
    option = find(conductor, ev.RETURN, "setsockopt", "server")[0]
    assert option.args == ("SOL_SOCKET", "SO_REUSEADDR", 1)


@pytest.mark.parametrize(
    ("ending", "message"),
    [
        ("exit3", "client raised SystemExit: 3"),
        ("os_exit", "client's process exited with code 5 without a word"),
        ("kill", "client's process was killed by signal SIGKILL without a word"),
    ],
)
def test_every_way_an_actor_can_end_badly_is_a_crash(ending: str, message: str) -> None:
    conductor = run("streams", args={"ending": ending})
    assert conductor.outcome.kind == CRASHED
    assert conductor.outcome.message == message
    state = reducer.reduce(conductor.events)
    assert state.actors["client"].status == reducer.CRASHED
    assert state.actors["server"].status == reducer.BLOCKED  # stopped where it was
    assert all(gone(pid) for pid in actor_pids(conductor))


def test_a_crash_stops_every_other_actor_process() -> None:
    conductor = run("crash")
    pids = actor_pids(conductor)
    assert len(pids) == 2 and all(gone(pid) for pid in pids)
    assert [e.actor for e in conductor.events if e.kind == ev.ACTOR_EXIT] == ["client"]


def test_a_sleep_advances_the_virtual_clock_at_once() -> None:
    conductor = run("timeouts")
    sleep = find(conductor, ev.BLOCK, "sleep", "sleeper")[0]
    assert (sleep.vtime, sleep.result) == (0.0, 5.0)
    woke = find(conductor, ev.RETURN, "sleep", "sleeper")[0]
    assert woke.vtime == 5.0
    assert woke.wtime - sleep.wtime < 5.0  # not slept for real
    assert outputs(conductor, "sleeper") == ["slept"]


def test_full_buffers_both_ways_are_a_deadlock_in_sendall() -> None:
    conductor = run("full_buffers")
    assert conductor.outcome.kind == DEADLOCK, conductor.outcome.message  # not its time limit
    report = next(e.text for e in conductor.events if e.kind == ev.DEADLOCK)
    assert "server is blocked in sendall() on server#2" in report
    assert "client is blocked in sendall() on client#1" in report


def test_stop_ends_a_run_mode_lab_and_its_processes_and_frees_its_port() -> None:
    sleeping = threading.Event()

    def on_event(event: Event) -> None:
        if event.kind == ev.BLOCK and event.op == "sleep" and event.actor == "client":
            sleeping.set()

    conductor = Conductor(load_scenario(str(LABS / "forever.py")), time_limit=30, on_event=on_event)
    thread = threading.Thread(target=conductor.run)
    thread.start()
    try:
        assert sleeping.wait(timeout=15), "the client never went to sleep"
        pids = actor_pids(conductor)
        assert len(pids) == 2 and not any(gone(pid) for pid in pids)
    finally:
        conductor.stop()
        thread.join(timeout=15)
    assert not thread.is_alive(), "the conductor did not end when stopped"
    assert conductor.outcome.kind == STOPPED
    assert [pid for pid in pids if not gone(pid)] == []  # ended before run() returned
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", conductor.ports[0]))


def test_scenario_arguments_reach_the_actors() -> None:
    conductor = run("recv_flags", args={"flag": "waitall", "enum": False})
    assert conductor.outcome.kind == COMPLETED, conductor.outcome.message
    received = find(conductor, ev.RETURN, "recv", "server")
    assert received and received[0].args == (10, "MSG_WAITALL")  # by name, as elsewhere


# -- bugs -------------------------------------------------------------------------------------


def test_data_from_a_sendall_that_blocks_part_way_is_read_at_once() -> None:
    conductor = run("partial_send")
    assert outputs(conductor, "server")[0] == "got 1024"
    assert find(conductor, ev.RETURN, "recv", "server")[0].vtime == 1.0


def test_a_non_blocking_connect_lets_the_listener_accept_at_once() -> None:
    conductor = run("nonblocking_connect")
    assert outputs(conductor, "server") == ["accepted"]
    assert find(conductor, ev.RETURN, "accept", "server")[0].vtime == 1.0


def test_flags_given_as_socket_constants_work() -> None:
    conductor = run("recv_flags", args={"flag": "peek"})
    assert conductor.outcome.kind == COMPLETED, conductor.outcome.message
    assert outputs(conductor, "server") == ["b'12345' b'12345'"]


def test_a_blocking_recv_with_msg_waitall_waits_for_every_byte() -> None:
    conductor = run("recv_flags", args={"flag": "waitall", "enum": False})
    assert outputs(conductor, "server") == ["b'1234567890'"]
    recv = [e for e in conductor.events if e.kind == ev.RETURN and e.op == "recv"]
    assert recv[0].data_len == 10 and recv[0].vtime == 1.0  # it waited for the second send


@pytest.mark.parametrize(
    ("args", "printed"),
    [
        ({"flag": "into"}, "10 b'1234567890\\x00\\x00'"),
        ({"then": "close"}, "b'12345'"),  # the end of the stream comes first
        ({"flag": "timeout"}, "b'12345'"),  # with a timeout: what has come
    ],
)
def test_msg_waitall_edges(args: dict[str, str], printed: str) -> None:
    conductor = run("recv_flags", args={"flag": "waitall", **args})
    assert conductor.outcome.kind == COMPLETED, conductor.outcome.message
    assert outputs(conductor, "server") == [printed]


def test_a_very_long_printed_line_is_an_output_event() -> None:
    conductor = Conductor(load_scenario(str(LABS / "output_edges.py")), args={"what": "long"})
    outcome = conductor.run()  # today: ChannelClosed("message of ... bytes is too large")
    assert outcome.kind == COMPLETED
    assert outputs(conductor, "writer")[-1] == "done"


def test_bytes_written_to_stdout_buffer_are_output() -> None:
    conductor = run("output_edges", args={"what": "buffer"})
    assert conductor.outcome.kind == COMPLETED, conductor.outcome.message
    assert outputs(conductor, "writer") == ["raw bytes", "done"]


@pytest.mark.timeout(15)
def test_a_socketserver_tcpserver_serves_a_request() -> None:
    conductor = run("socketserver_lab")  # a hang ends at the lab's time limit, with a message
    assert conductor.outcome.kind == COMPLETED, conductor.outcome.message
    assert outputs(conductor, "client") == ["b'ABC'"]


@pytest.mark.parametrize("api", ["poll", "epoll"])
def test_a_server_that_waits_with_select_poll_or_epoll(api: str) -> None:
    conductor = run("poll_servers", args={"api": api})
    assert conductor.outcome.kind == COMPLETED, conductor.outcome.message
    assert outputs(conductor, "client-1") == ["b'CLIENT-1'"]
    assert outputs(conductor, "client-2") == ["b'CLIENT-2'"]
    op = "poll" if api == "poll" else "epoll_wait"
    waits = [e for e in conductor.events if e.kind == ev.BLOCK and e.op == op]
    assert waits, "the server waited in a traced call"
    assert conductor.vtime == 1.0  # the second client's sleep, on the virtual clock


def test_a_scenario_s_actors_see_their_own_file_as_sys_argv(tmp_path: Path) -> None:
    lab = tmp_path / "argv_lab.py"
    lab.write_text(
        "import sys\nfrom netlab import Scenario\nlab = Scenario('argv')\n"
        "@lab.actor('a')\ndef a(ctx):\n    print(sys.argv)\n"
    )
    conductor = Conductor(load_scenario(str(lab)))
    conductor.run()
    assert [e.text for e in conductor.events if e.kind == ev.OUTPUT] == [str([str(lab)])]

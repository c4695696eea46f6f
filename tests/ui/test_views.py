"""The pure views the lab's tabs draw from: the ladder's rungs and the explanations."""

from __future__ import annotations

import io
from pathlib import Path

from netlab.core import events as ev
from netlab.core.explain import explain
from netlab.core.ladder import ARROW, rungs
from netlab.core.recording import read_recording
from tests.ui.conftest import recording


def test_a_compound_call_makes_one_rung() -> None:
    # create_connection() holds a connect(): one SYN, not two.
    events = read_recording(recording("deadlock")).events
    syns = [r for r in rungs(events) if r.kind == ARROW and r.label == "SYN"]
    assert len(syns) == 1


def test_the_deadlock_is_explained_actor_by_actor() -> None:
    events = read_recording(recording("deadlock")).events
    end = next(e for e in events if e.kind == ev.END)
    text = explain(end)
    assert "deadlock" in text
    assert "  server is blocked in recv()" in text and "  client is blocked in recv()" in text


def test_strace_lines_read_as_strace_prints_them() -> None:
    from netlab.core.strace import syscall

    lines = [syscall(e) for e in read_recording(recording("tcp_echo")).events]
    assert "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = 3" in lines  # protocol 0
    assert any(
        line.startswith("accept4(3, {sa_family=AF_INET, sin_port=htons(")
        and line.endswith('sin_addr=inet_addr("127.0.0.1")}, [16], SOCK_CLOEXEC) = 4')
        for line in lines
    )
    assert 'recvfrom(4, "hello from client-1", 1024, 0, NULL, NULL) = 19' in lines
    refused = [syscall(e) for e in read_recording(recording("refused")).events]
    assert any(line.endswith("= -1 ECONNREFUSED (Connection refused)") for line in refused)
    created = [syscall(e) for e in read_recording(recording("deadlock")).events]
    assert "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3" in created


def test_the_kernel_table_finds_sockets_by_address() -> None:
    import socket

    from netlab.core.kernel_view import KernelTable

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        local = list(server.getsockname())
        with socket.create_connection(tuple(local)) as client:
            conn, _ = server.accept()
            with conn:
                client.sendall(b"12345")
                table = KernelTable.read()
                listening = table.find("SOCK_STREAM", local, None)
                assert listening is not None and listening.state == "LISTEN"
                mine = list(client.getsockname())
                theirs = table.find("SOCK_STREAM", local, mine)
                assert theirs is not None and theirs.state == "ESTAB"
                assert theirs.recv_queue == 5  # sent, not read yet
                assert table.find("SOCK_STREAM", ["0.0.0.0", 0], None) is None  # not bound


def test_a_call_made_inside_a_library_shows_that_librarys_line() -> None:
    import socketserver

    from rich.console import Console

    from netlab.ui.widgets.details import code

    events = read_recording(recording("tcp_echo")).events
    call = next(e for e in events if e.kind == ev.RETURN and e.op == "accept")
    inside = call._replace(source=(socketserver.__file__, 292))

    def shown(renderable) -> str:  # type: ignore[no-untyped-def]
        console = Console(width=100, record=True, color_system=None)
        console.print(renderable)
        return console.export_text()

    live = shown(code(inside, {"tcp_echo.py": "x = 1\n"}, "tcp_echo.py", 10, live=True))
    assert "socketserver.py, line 292: the call is made in a library" in live
    assert "292" in live and "❱" in live  # its own source, the line marked
    replayed = shown(code(inside, {"tcp_echo.py": "x = 1\n"}, "tcp_echo.py", 10, live=False))
    assert "not shown for a recording" in replayed
    own = shown(code(call, {"tcp_echo.py": "\n" * 40}, "tcp_echo.py", 10))
    assert f"tcp_echo.py, line {call.source[1]}" in own


def test_a_socket_left_by_a_refused_connect_is_not_called_closed() -> None:
    from rich.console import Console

    from netlab.core.kernel_view import KernelTable
    from netlab.core.reducer import reduce
    from netlab.ui.widgets.details import kernel

    events = read_recording(recording("refused")).events
    refused = next(e for e in events if e.kind == ev.RAISE and e.errno == "ECONNREFUSED")
    state = reduce(events[: refused.seq])
    console = Console(width=100, file=io.StringIO())
    console.print(kernel(refused, state, now=KernelTable({})))
    text = " ".join(console.file.getvalue().split())  # type: ignore[attr-defined]
    assert "though it is open: it is neither listening nor connected" in text
    assert "no longer keeps" not in text


def _text(renderable: object) -> str:
    from rich.console import Console

    console = Console(width=80, file=io.StringIO())
    console.print(renderable)
    return " ".join(console.file.getvalue().split())  # type: ignore[attr-defined]


ONE_ACCEPT = """
from netlab import Scenario
lab = Scenario("one accept, two clients")
@lab.actor("server")
def server(ctx):
    import socket
    with socket.create_server((ctx.host, ctx.port)) as s:
        conn, _ = s.accept()
        with conn:
            while data := conn.recv(1024):
                conn.sendall(data)
@lab.actor("client", count=2)
def client(ctx):
    import socket
    with socket.create_connection((ctx.host, ctx.port)) as s:
        s.sendall(b"hello")
        print(s.recv(1024))
"""


def test_why_says_a_reset_connection_was_never_accepted(tmp_path: Path) -> None:
    from netlab.core.conductor import Conductor
    from netlab.core.reducer import reduce
    from netlab.core.scenario import load_scenario
    from netlab.ui.widgets.details import explanation

    lab = tmp_path / "one_accept.py"
    lab.write_text(ONE_ACCEPT)
    conductor = Conductor(load_scenario(lab))
    conductor.run()
    reset = next(e for e in conductor.events if e.kind == ev.RAISE and e.errno == "ECONNRESET")
    assert reset.actor == "client-2"
    why = _text(explanation(reset, reduce(conductor.events[: reset.seq])))
    assert "No actor ever accepted this connection (client-2's socket)" in why
    served = next(e for e in conductor.events if e.kind == ev.RETURN and e.op == "recv")
    assert "never accepted" not in _text(explanation(served, reduce(conductor.events)))


def test_why_tells_a_link_decision_whole() -> None:
    from netlab.core.conductor import Conductor
    from netlab.core.scenario import load_scenario
    from netlab.ui.widgets.details import explanation

    conductor = Conductor(load_scenario("tcp-echo"), link="lossy-wifi", seed=1)
    conductor.run()
    segments = [e for e in conductor.events if e.kind == ev.LINK and e.op == "segment"]
    lost = next(e for e in segments if e.extra["losses"])
    why = _text(explanation(lost))
    assert " ".join(lost.text.split()) in why  # the whole decision, however long
    assert "The link lost this segment once" in why or "The link lost this segment twice" in why
    conductor = Conductor(load_scenario("tcp-vs-udp"), seed=7)
    conductor.run()
    held = next(
        e
        for e in conductor.events
        if e.kind == ev.LINK and e.op == "segment" and e.extra["release_at"] > e.extra["arrive_at"]
    )
    assert "(head-of-line blocking): the stream comes late" in _text(explanation(held))


def test_a_row_too_long_for_the_headline_is_shown_whole_in_why() -> None:
    from netlab.ui.widgets.details import explanation, headline

    events = read_recording(recording("tcp_vs_udp")).events
    long_row = next(e for e in events if e.kind == ev.LINK and headline(e).cell_len > 80)
    shown = _text(explanation(long_row, width=80))
    assert shown.startswith(" ".join(headline(long_row).plain.split()))
    short_row = next(e for e in events if e.kind == ev.RETURN and headline(e).cell_len < 60)
    assert not _text(explanation(short_row, width=80)).startswith("step ")


def test_the_ladder_shows_the_handshake_the_fin_and_a_reset(tmp_path: Path) -> None:
    from netlab.core.conductor import Conductor
    from netlab.core.scenario import load_scenario

    echo = rungs(read_recording(recording("tcp_echo")).events)
    arrows = [(r.source, r.target, r.label) for r in echo if r.kind == ARROW]
    first = arrows.index(("client-1", "server", "SYN"))
    assert arrows[first : first + 3] == [
        ("client-1", "server", "SYN"),
        ("server", "client-1", "SYN-ACK"),
        ("client-1", "server", "ACK"),
    ]
    assert ("client-1", "server", "FIN") in arrows and ("server", "client-1", "FIN") in arrows
    lab = tmp_path / "one_accept.py"
    lab.write_text(ONE_ACCEPT)
    conductor = Conductor(load_scenario(lab))
    conductor.run()
    reset = [(r.source, r.target, r.label) for r in rungs(conductor.events) if r.label == "RST"]
    assert reset == [("server", "client-2", "RST")]
    refused = [r.label for r in rungs(read_recording(recording("refused")).events)]
    assert "! SYN, RST back: refused" in refused


def test_a_socket_is_named_by_what_it_is() -> None:
    from netlab.core.reducer import SocketState
    from netlab.ui.widgets.actor_panel import socket_line

    def kind(family: str, sock_type: str) -> str:
        return socket_line(SocketState("a#1", 3, family, sock_type)).plain.split()[1]

    assert kind("AF_INET", "SOCK_STREAM") == "TCP"
    assert kind("AF_INET6", "SOCK_DGRAM") == "UDP"
    assert kind("AF_UNIX", "SOCK_STREAM") == "UNIX"  # a socketpair is no TCP connection
    assert kind("AF_UNIX", "SOCK_DGRAM") == "UNIX-DG"


def test_a_close_behind_data_on_the_link_says_its_fin_comes_later() -> None:
    from netlab.core.conductor import Conductor
    from netlab.core.scenario import load_scenario

    conductor = Conductor(load_scenario("tcp-echo"), link="lossy-wifi", seed=1)
    conductor.run()
    deferred = [e for e in conductor.events if e.op == "close" and e.extra.get("deferred")]
    assert deferred, "no close waited behind the link in this run"
    labels = {r.seq: r.label for r in rungs(conductor.events)}
    assert all(labels.get(e.seq) == "FIN (queued)" for e in deferred if e.sock and e.sock.peer)
    assert "the real socket is closed (and its FIN sent) once" in explain(deferred[0])


def test_home_lists_your_scenarios_but_not_copies_of_the_built_in_ones(tmp_path: Path) -> None:
    from netlab.core.scenario import builtin_scenarios
    from netlab.ui.screens.home import scenario_choices

    mine = tmp_path / "scenarios"
    mine.mkdir()
    echo = builtin_scenarios()["tcp-echo"]
    (mine / echo.name).write_bytes(echo.read_bytes())  # netlab's own checkout, say
    (mine / "my_lab.py").write_text('"""Mine."""\n')
    shown = [name for _, _, name, _ in scenario_choices(tmp_path)]
    assert "yours: my_lab.py" in shown and f"yours: {echo.name}" not in shown

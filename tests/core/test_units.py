"""The core's pieces alone: safe text, events, the reducer, recordings, scenario loading."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netlab.core import events as ev
from netlab.core import reducer
from netlab.core.events import Event, SockInfo
from netlab.core.recording import RecordingError, RecordingWriter, make_header, read_recording
from netlab.core.safe_text import visible
from netlab.core.scenario import Scenario, ScenarioError, load_scenario


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]0;X\x07", "\\x1b]0;X\\x07"),
        ("\x1b[2J", "\\x1b[2J"),
        ("a\x00b", "a\\x00b"),
        ("\x9b", "\\x9b"),
        ("\u202eevil", "\\u202eevil"),
        (b"\xff\xfe", "\\xff\\xfe"),
        ("x\udcffy", "x\\udcffy"),
        ("[/bold] [@click=app.quit]x[/]", "[/bold] [@click=app.quit]x[/]"),
        ("Привіт, сокети", "Привіт, сокети"),
        ("line\nnext", "line\\x0anext"),
    ],
)
def test_visible_makes_everything_harmless_and_nothing_else(raw, shown) -> None:
    assert visible(raw) == shown


def test_visible_can_keep_lines() -> None:
    assert visible("a\nb\x1b", multiline=True) == "a\nb\\x1b"


@given(st.text())
def test_visible_never_lets_a_control_character_through(text: str) -> None:
    shown = visible(text)
    assert not any(ord(c) < 32 or 127 <= ord(c) < 160 or 0xD800 <= ord(c) < 0xE000 for c in shown)


addresses = st.one_of(st.none(), st.tuples(st.just("127.0.0.1"), st.integers(0, 65535)).map(list))
socks = st.builds(
    SockInfo,
    id=st.from_regex(r"[a-z]{1,8}#[0-9]{1,3}", fullmatch=True),
    fd=st.integers(-1, 1000),
    family=st.sampled_from(["AF_INET", "AF_INET6"]),
    type=st.sampled_from(["SOCK_STREAM", "SOCK_DGRAM"]),
    local=addresses,
    peer=addresses,
)
events = st.builds(
    Event,
    seq=st.integers(1, 10**6),
    kind=st.sampled_from(sorted(ev.KINDS)),
    actor=st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
    vtime=st.floats(0, 1e6, allow_nan=False),
    step=st.integers(0, 10**5),
    op=st.sampled_from(["", "recv", "send", "accept"]),
    args=st.lists(st.one_of(st.integers(), st.text(), addresses), max_size=3).map(tuple),
    result=st.one_of(st.none(), st.integers(), st.text()),
    errno=st.one_of(st.none(), st.sampled_from(["ECONNREFUSED", "EPIPE"])),
    sock=st.one_of(st.none(), socks),
    data=st.one_of(st.none(), st.binary(max_size=64)),
    data_len=st.integers(0, 10**6),
    source=st.one_of(st.none(), st.tuples(st.just("lab.py"), st.integers(1, 500))),
    text=st.text(),
    wtime=st.just(0.0),
    error=st.none(),
    new_sock=st.none(),
    extra=st.dictionaries(st.sampled_from(["crc", "tx"]), st.integers(), max_size=2),
)


@given(events)
def test_an_event_survives_json_and_back(event: Event) -> None:
    again = Event.from_json(json.loads(json.dumps(event.to_json())))
    assert again.to_json() == event.to_json()


def sock(id_: str, local=None, peer=None, kind: str = "SOCK_STREAM") -> SockInfo:
    return SockInfo(id_, 3, "AF_INET", kind, local, peer)


def test_the_reducer_follows_a_server_socket_through_its_life() -> None:
    local = ["127.0.0.1", 5000]
    conn = sock("server#2", local, ["127.0.0.1", 40000])
    log = [
        Event(1, ev.ACTOR_START, "server", result=123),
        Event(2, ev.RETURN, "server", op="socket", sock=sock("server#1")),
        Event(3, ev.RETURN, "server", op="bind", sock=sock("server#1", local)),
        Event(4, ev.RETURN, "server", op="listen", sock=sock("server#1", local)),
        Event(5, ev.CALL, "server", op="accept", sock=sock("server#1", local)),
        Event(6, ev.BLOCK, "server", op="accept", sock=sock("server#1", local)),
    ]
    state = reducer.reduce(log)
    server = state.actors["server"]
    assert server.status == reducer.BLOCKED and server.pid == 123
    assert server.blocked_on == "accept() on server#1"
    assert server.sockets["server#1"].state == reducer.LISTENING
    log += [
        Event(7, ev.WAKE, "server", op="accept", result="ready"),
        Event(8, ev.RETURN, "server", op="accept", sock=sock("server#1", local), new_sock=conn),
        Event(9, ev.RETURN, "server", op="recv", sock=conn, data=b"hi", data_len=2),
        Event(10, ev.RETURN, "server", op="sendall", sock=conn, data=b"hi", data_len=2),
        Event(11, ev.RETURN, "server", op="recv", sock=conn, data=b"", data_len=0),
        Event(12, ev.OUTPUT, "server", op="stdout", text="done"),
    ]
    state = reducer.reduce(log)
    server = state.actors["server"]
    assert server.status == reducer.RUNNING and server.blocked_on is None
    accepted = server.sockets["server#2"]
    assert (accepted.bytes_in, accepted.bytes_out, accepted.state) == (2, 2, reducer.PEER_CLOSED)
    assert accepted.peer == ["127.0.0.1", 40000]
    assert server.output == ["done"]
    log += [
        Event(13, ev.RETURN, "server", op="close", sock=conn),
        Event(14, ev.ACTOR_EXIT, "server", error="ValueError: x", text="Traceback ..."),
        Event(15, ev.END, result="crashed", text="server raised ValueError: x"),
    ]
    state = reducer.reduce(log)
    assert state.actors["server"].status == reducer.CRASHED
    assert all(s.state == reducer.CLOSED for s in state.actors["server"].sockets.values())
    assert (state.outcome, state.outcome_text) == ("crashed", "server raised ValueError: x")


def test_the_timeline_gives_any_past_state_as_reduce_does() -> None:
    log = [Event(n, ev.OUTPUT, "a", step=n, text=str(n)) for n in range(1, 1200)]
    timeline = reducer.Timeline(every=100)
    timeline.extend(log)
    for count in (0, 1, 99, 100, 101, 555, 1199):
        assert timeline.state_at(count) == reducer.reduce(log[:count])


def test_a_recording_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    log = [Event(1, ev.ACTOR_START, "a", result=1), Event(2, ev.END, result="completed")]
    with RecordingWriter(path, make_header(scenario="x", seed=1)) as writer:
        for event in log:
            writer.write(event)
    recording = read_recording(path)
    assert recording.complete and [e.to_json() for e in recording.events] == [
        e.to_json() for e in log
    ]
    assert recording.header["seed"] == 1


def test_a_recording_cut_short_names_its_last_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    header = json.dumps(make_header())
    path.write_text(header + '\n{"seq": 1, "kind": "actor-start", "actor": "a"}\n{"seq": 2, "ki')
    with pytest.raises(RecordingError, match=r"line 3: not valid JSON"):
        read_recording(path)


def test_a_missing_recording(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="cannot be read"):
        read_recording(tmp_path / "nope.jsonl")


def write(tmp_path: Path, text: str, name: str = "lab.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


HEAD = "from netlab import Scenario\nlab = Scenario('t')\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x = (\n", "line 1: syntax error"),
        ("import netlab\n", "defines no Scenario"),
        ("from netlab import Scenario\nraise KeyError('boom')\n", "line 2: KeyError: 'boom'"),
        ("from netlab import Scenario\nlab = Scenario('t')\n", "has no actors"),
        (
            HEAD + "@lab.actor('bad name!')\ndef a(c): ...\n",
            "a name is a letter",
        ),
        (
            HEAD + "@lab.actor('a', count=0)\ndef a(c): ...\n",
            "count must be 1 to 32",
        ),
        (
            "from netlab import Scenario\na = Scenario('a')\nb = Scenario('b')\n",
            "defines 2 Scenarios",
        ),
        (
            "from netlab import Scenario\nlab = Scenario('t', link='wifi')\n",
            "unknown; use a preset",
        ),
    ],
)
def test_scenario_errors_are_one_line_and_name_the_file(tmp_path, text, message) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as error:
        load_scenario(str(path))
    assert message in str(error.value)
    assert str(path) in str(error.value)
    assert "\n" not in str(error.value)


def test_unknown_names_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"no such scenario \(built-in ones: tcp-echo"):
        load_scenario("nope")
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(str(tmp_path / "missing.py"))


def test_builtin_scenarios_load_and_describe_themselves() -> None:
    loaded = load_scenario("tcp-echo")
    assert loaded.name == "tcp-echo"
    assert loaded.scenario.actor_names() == ["server", "client-1", "client-2"]
    assert loaded.description.startswith("TCP echo")
    assert loaded.scenario.find_actor("client-2")[1] == 2


def test_scenario_api_checks_its_arguments() -> None:
    with pytest.raises(ScenarioError):
        Scenario("")
    with pytest.raises(ScenarioError):
        Scenario("t", seed="1")  # type: ignore[arg-type]


def test_the_core_imports_neither_textual_nor_rich() -> None:
    code = (
        "import sys\n"
        "import netlab.core.events, netlab.core.channel, netlab.core.scenario, netlab.core.shim\n"
        "import netlab.core.actor_main, netlab.core.conductor, netlab.core.reducer\n"
        "import netlab.core.recording, netlab.core.describe, netlab.core.safe_text\n"
        "import netlab.core.ports, netlab.core.link, netlab.core.analysis, netlab.core.explain\n"
        "import netlab.core.strace, netlab.core.ladder, netlab.core.kernel_view, netlab.headless\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')]\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_ladder_draws_connections_data_and_drops() -> None:
    from netlab.core.ladder import ARROW, DROP, MARK, rungs

    path = Path(__file__).parent.parent / "ui" / "fixtures" / "tcp_vs_udp.jsonl"
    drawn = rungs(read_recording(path).events)
    assert ("client-tcp", "server-tcp", "SYN") in {(r.source, r.target, r.label) for r in drawn}
    drops = [r for r in drawn if r.kind == DROP]
    assert drops and all((r.source, r.target) == ("client-udp", "server-udp") for r in drops)
    assert any(r.kind == ARROW and r.label.endswith("lost, resent") for r in drawn)  # TCP
    assert any(r.kind == MARK and r.label == "⏸ accept()" for r in drawn)


def test_the_kernel_is_asked_for_tcp_sockets_and_agrees_with_proc_net(monkeypatch) -> None:
    import socket

    from netlab.core import kernel_view

    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(b"hello")
            accepted, _ = listener.accept()
            with accepted:
                waiting = socket.create_connection(("127.0.0.1", port))  # not accepted yet
                sockets = [
                    (["127.0.0.1", port], None),
                    (list(accepted.getsockname()), list(accepted.getpeername())),
                    (list(client.getsockname()), list(client.getpeername())),
                ]

                def rows() -> list[tuple[str, int]]:
                    table = kernel_view.KernelTable.read(["SOCK_STREAM"])
                    found = [table.find("SOCK_STREAM", *sock) for sock in sockets]
                    return [(row.state, row.recv_queue) for row in found if row is not None]

                asked = rows()
                monkeypatch.setattr(kernel_view, "_sock_diag_works", lambda: False)
                assert asked == rows() == [("LISTEN", 1), ("ESTAB", 5), ("ESTAB", 0)]
                waiting.close()

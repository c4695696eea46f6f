"""More of the core's pieces alone: the reducer from a client's side, events with every field,
recordings that are not netlab's, and scenario files that go wrong in other ways."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netlab.core import events as ev
from netlab.core import reducer
from netlab.core.events import Event, SockInfo
from netlab.core.recording import (
    FORMAT_VERSION,
    RecordingError,
    RecordingWriter,
    make_header,
    read_recording,
)
from netlab.core.safe_text import visible
from netlab.core.scenario import ScenarioError, load_scenario

# -- safe text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b", "\\x1b"),
        ("tab\there", "tab\\x09here"),
        ("cr\rlf", "cr\\x0dlf"),
        ("\x7f", "\\x7f"),
        ("a\u200bb\ufeff", "a\\u200bb\\ufeff"),  # zero width space, byte order mark
        ("\u2066x\u2069", "\\u2066x\\u2069"),  # bidi isolates
        ("Привіт".encode(), "Привіт"),  # valid UTF-8 bytes are text
        (b"ok\x1b[31m\xc3", "ok\\x1b[31m\\xc3"),  # an escape and a cut-off character
        (
            "[bold red]x[/] [link=file:///etc/passwd]y[/link]",
            "[bold red]x[/] [link=file:///etc/passwd]y[/link]",
        ),
        ("\U0001f600 café ™", "\U0001f600 café ™"),
    ],
)
def test_visible_escapes_only_what_acts_on_a_terminal(raw, shown) -> None:
    assert visible(raw) == shown


def test_visible_keeps_only_newlines_when_asked_for_lines() -> None:
    assert visible("a\r\nb\x1b[2J\n", multiline=True) == "a\\x0d\nb\\x1b[2J\n"


@given(st.binary())
def test_visible_bytes_never_let_a_control_byte_through(data: bytes) -> None:
    shown = visible(data)
    assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in shown)
    shown.encode("utf-8")  # always printable as UTF-8: no lone surrogates


# -- events -----------------------------------------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), st.text(max_size=8)),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
addresses = st.one_of(
    st.none(),
    st.tuples(st.sampled_from(["127.0.0.1", "::1"]), st.integers(0, 65535)).map(list),
    st.just("/tmp/lab.sock"),
)
socks = st.builds(
    SockInfo,
    id=st.from_regex(r"[A-Za-z0-9_.-]{1,12}#[0-9]{1,4}", fullmatch=True),
    fd=st.integers(-1, 4096),
    family=st.sampled_from(["AF_INET", "AF_INET6", "AF_UNIX"]),
    type=st.sampled_from(["SOCK_STREAM", "SOCK_DGRAM"]),
    local=addresses,
    peer=addresses,
)


@st.composite
def full_events(draw: st.DrawFn) -> Event:
    data = draw(st.one_of(st.none(), st.binary(max_size=300)))
    return Event(
        seq=draw(st.integers(1, 10**9)),
        kind=draw(st.sampled_from(sorted(ev.KINDS))),
        actor=draw(st.from_regex(r"[A-Za-z0-9_.-]{0,20}", fullmatch=True)),
        vtime=draw(st.floats(0, 1e9, allow_nan=False, allow_infinity=False)),
        wtime=round(draw(st.floats(0, 1e5, allow_nan=False)), 6),
        step=draw(st.integers(0, 10**9)),
        op=draw(st.from_regex(r"[a-z_]{0,20}", fullmatch=True)),
        args=tuple(draw(st.lists(json_values, max_size=4))),
        result=draw(json_values),
        errno=draw(st.one_of(st.none(), st.sampled_from(["ECONNREFUSED", "EPIPE", "EAGAIN"]))),
        error=draw(st.one_of(st.none(), st.text(max_size=30))),
        sock=draw(st.one_of(st.none(), socks)),
        new_sock=draw(st.one_of(st.none(), socks)),
        data=data,
        data_len=0 if data is None else draw(st.integers(len(data), 10**7)),
        source=draw(st.one_of(st.none(), st.tuples(st.text(max_size=20), st.integers(1, 10**5)))),
        text=draw(st.text(max_size=40)),  # lone surrogates too: an actor may print them
        # Keys netlab never writes: the ones it does are checked against what it writes.
        extra=draw(st.dictionaries(st.text(max_size=6).map("x-".__add__), json_values, max_size=3)),
    )


@given(full_events())
def test_every_field_of_an_event_survives_json_text_and_back(event: Event) -> None:
    line = json.dumps(event.to_json())
    again = Event.from_json(json.loads(line))
    assert again.to_json() == event.to_json()
    assert (again.seq, again.kind, again.actor, again.vtime, again.wtime) == event[:5]
    assert (again.sock, again.new_sock, again.data, again.data_len) == (
        event.sock,
        event.new_sock,
        event.data,
        event.data_len,
    )
    assert again.text == event.text and again.error == event.error


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ({"seq": 1, "kind": "evil"}, ValueError),
        ({"kind": "call"}, KeyError),
        ({"seq": "1", "kind": "call"}, TypeError),
        ({"seq": True, "kind": "call"}, TypeError),
        ({"seq": 1, "kind": "call", "actor": "\x1b]0;x\x07"}, ValueError),
        ({"seq": 1, "kind": "call", "op": "Recv; rm"}, ValueError),
        ({"seq": 1, "kind": "call", "args": "recv"}, TypeError),
        ({"seq": 1, "kind": "return", "extra": {"crc": "bad"}}, ValueError),
        ({"seq": 1, "kind": "return", "vtime": "nan"}, TypeError),
        ({"seq": 1, "kind": "return", "source": ["f.py", "7"]}, TypeError),
        ({"seq": 1, "kind": "link", "extra": {"arrivals": 5}}, ValueError),
        ({"seq": 1, "kind": "actor-exit", "extra": {"counters": "z"}}, ValueError),
        ({"seq": 1, "kind": "call", "data": "!!not base64"}, ValueError),
        ({"seq": 1, "kind": "call", "sock": {"id": "x#1", "fd": 3}}, KeyError),
        ({"seq": 1, "kind": "call", "sock": {"id": "x", "fd": 3, "family": "AF_INET"}}, ValueError),
    ],
)
def test_malformed_events_are_refused(raw, error) -> None:
    with pytest.raises(error):
        Event.from_json(raw)


def test_a_socket_snapshot_seen_before_is_shared_but_never_a_malformed_one() -> None:
    raw = {"id": "x#1", "fd": 3, "family": "AF_INET", "type": "SOCK_STREAM", "local": ["h", 1]}
    first = SockInfo.from_json(raw)
    assert SockInfo.from_json(dict(raw)) is first
    with pytest.raises(TypeError):  # equal to 3 as a key, but not a descriptor
        SockInfo.from_json({**raw, "fd": 3.0})
    with pytest.raises(TypeError):
        SockInfo.from_json({**raw, "fd": True, "id": "x#2"})


# -- the reducer ------------------------------------------------------------------------------


def sock(id_: str, local=None, peer=None, kind: str = "SOCK_STREAM") -> SockInfo:
    return SockInfo(id_, 3, "AF_INET", kind, local, peer)


HERE, THERE = ["127.0.0.1", 40000], ["127.0.0.1", 5000]


def test_a_client_socket_goes_from_new_to_connected_to_closed() -> None:
    log = [
        Event(1, ev.ACTOR_START, "client", result=7),
        Event(2, ev.CALL, "client", step=1, op="socket"),
        Event(3, ev.RETURN, "client", step=1, op="socket", sock=sock("client#1")),
    ]
    state = reducer.reduce(log)
    assert state.actors["client"].sockets["client#1"].state == reducer.NEW
    connected = sock("client#1", HERE, THERE)
    log += [
        Event(4, ev.CALL, "client", step=2, op="connect", sock=sock("client#1")),
        Event(5, ev.RETURN, "client", step=2, op="connect", sock=connected),
        Event(6, ev.RETURN, "client", step=3, op="send", sock=connected, data=b"abc", data_len=3),
        Event(7, ev.RETURN, "client", step=4, op="recv", sock=connected, data=b"ab", data_len=2),
        Event(
            8, ev.RETURN, "client", step=5, op="recv_into", sock=connected, data=b"c", data_len=1
        ),
    ]
    state = reducer.reduce(log)
    client = state.actors["client"].sockets["client#1"]
    assert (client.state, client.local, client.peer) == (reducer.CONNECTED, HERE, THERE)
    assert (client.bytes_out, client.bytes_in) == (3, 3)
    assert state.step == 5 and state.events == 8
    log += [
        Event(9, ev.RETURN, "client", step=6, op="close", sock=connected),
        Event(10, ev.ACTOR_EXIT, "client", result="ok"),
        Event(11, ev.END, result="completed", text="every actor finished"),
    ]
    state = reducer.reduce(log)
    assert state.actors["client"].status == reducer.DONE
    assert state.actors["client"].sockets["client#1"].state == reducer.CLOSED
    assert state.outcome == "completed"


def test_a_refused_connect_leaves_the_socket_new_and_the_actor_running() -> None:
    log = [
        Event(1, ev.RETURN, "c", op="socket", sock=sock("c#1")),
        Event(2, ev.CALL, "c", op="connect", sock=sock("c#1")),
        Event(3, ev.RAISE, "c", op="connect", sock=sock("c#1"), errno="ECONNREFUSED"),
        Event(4, ev.RETURN, "c", op="connect_ex", sock=sock("c#1"), result=115),
    ]
    state = reducer.reduce(log)
    assert state.actors["c"].sockets["c#1"].state == reducer.NEW
    assert state.actors["c"].status == reducer.RUNNING and state.actors["c"].call is None


def test_a_udp_socket_is_bound_by_its_first_send() -> None:
    udp = sock("c#1", kind="SOCK_DGRAM")
    bound = sock("c#1", HERE, kind="SOCK_DGRAM")
    log = [
        Event(1, ev.RETURN, "c", op="socket", sock=udp),
        Event(2, ev.RETURN, "c", op="sendto", sock=bound, data=b"ping", data_len=4),
        Event(3, ev.RETURN, "c", op="recvfrom", sock=bound, data=b"", data_len=0),
    ]
    state = reducer.reduce(log)
    socket_state = state.actors["c"].sockets["c#1"]
    assert socket_state.state == reducer.BOUND  # an empty datagram is no end of anything
    assert (socket_state.bytes_out, socket_state.bytes_in, socket_state.local) == (4, 0, HERE)


def test_what_an_actor_is_blocked_on_and_when_it_can_go_on() -> None:
    log = [
        Event(1, ev.CALL, "s", op="select", args=(None,)),
        Event(2, ev.BLOCK, "s", op="select", args=(None,)),
    ]
    assert reducer.reduce(log).actors["s"].blocked_on == "select()"
    log.append(Event(3, ev.WAKE, "s", op="select", result="ready"))
    state = reducer.reduce(log)
    assert state.actors["s"].status == reducer.READY and state.actors["s"].blocked_on is None


def test_a_deadlock_and_a_crash_are_kept_in_the_state() -> None:
    log = [
        Event(1, ev.ACTOR_START, "a", result=1),
        Event(2, ev.DEADLOCK, text="a is blocked in recv() on a#1"),
        Event(3, ev.END, result="deadlock", text="a is blocked in recv() on a#1; nothing"),
    ]
    state = reducer.reduce(log)
    assert state.deadlock == "a is blocked in recv() on a#1" and state.outcome == "deadlock"
    crash = [Event(1, ev.ACTOR_EXIT, "b", result="error", error="E: x", text="Traceback ...")]
    actor = reducer.reduce(crash).actors["b"]
    assert (actor.status, actor.error, actor.traceback) == (
        reducer.CRASHED,
        "E: x",
        "Traceback ...",
    )


def test_reducing_never_changes_the_events() -> None:
    log = [Event(1, ev.RETURN, "a", op="socket", sock=sock("a#1"))]
    before = [e.to_json() for e in log]
    reducer.reduce(log)
    reducer.reduce(log)
    assert [e.to_json() for e in log] == before


def test_the_kernel_s_view_is_replaced_by_each_kernel_event_and_odd_rows_are_left_out() -> None:
    rows = {"a#1": ["LISTEN", 0, 2, 0], "a#2": ["ESTAB", 0, "9", 0], "a#3": ["x"], "a#4": None}
    rows["a#5"] = ["\x1b[31mESTAB", 0, 0, 0]  # an edited recording: never shown
    state = reducer.reduce([Event(1, ev.KERNEL, extra={"sockets": rows})])
    assert state.kernel == {"a#1": reducer.KernelSeen("LISTEN", 0, 2, 0)}
    state.apply(Event(2, ev.KERNEL, extra={"sockets": {}}))
    assert state.kernel == {}
    state.apply(Event(3, ev.KERNEL, extra={"sockets": None}))  # from here, not known
    assert state.kernel is None
    state.apply(Event(4, ev.KERNEL, extra={"sockets": "not a table"}))
    assert state.kernel is None


# -- recordings -------------------------------------------------------------------------------


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_recording_without_its_end_is_read_but_not_complete(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    with RecordingWriter(path, make_header(seed=3)) as writer:
        writer.write(Event(1, ev.ACTOR_START, "a", result=1))
    recording = read_recording(path)
    assert not recording.complete and len(recording.events) == 1
    header_only = write_lines(tmp_path / "h.jsonl", [json.dumps(make_header())])
    assert read_recording(header_only).events == []


def test_a_recording_keeps_hostile_text_exactly(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    text = "\x1b]0;owned\x07 \udcff [/bold] Привіт"
    with RecordingWriter(path, make_header()) as writer:
        writer.write(Event(1, ev.OUTPUT, "a", op="stdout", text=text))
    assert read_recording(path).events[0].text == text


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({"version": 2, "width": 80, "height": 24}, "line 1: not a netlab recording"),  # a cast
        ({"format": "netlab-recording"}, "line 1: the format version is missing"),
        ({"format": "netlab-recording", "version": True}, "line 1: the format version is missing"),
        (
            {"format": "netlab-recording", "version": FORMAT_VERSION + 1},
            f"made by a newer netlab \\(format version {FORMAT_VERSION + 1}",
        ),
    ],
)
def test_a_recording_with_a_wrong_header_is_refused(tmp_path: Path, header, message) -> None:
    path = write_lines(tmp_path / "r.jsonl", [json.dumps(header)])
    with pytest.raises(RecordingError, match=message):
        read_recording(path)


def test_an_invalid_line_is_named_by_its_number(tmp_path: Path) -> None:
    lines = [
        json.dumps(make_header()),
        '{"seq": 1, "kind": "actor-start", "actor": "a"}',
        "{not json}",
        '{"seq": 3, "kind": "end"}',
    ]
    path = write_lines(tmp_path / "r.jsonl", lines)
    with pytest.raises(RecordingError, match=r"r\.jsonl, line 3: not valid JSON"):
        read_recording(path)


def test_a_recording_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(json.dumps(make_header()).encode() + b'\n{"seq": 1, "text": "\xff"}\n')
    with pytest.raises(RecordingError, match="line 2: not valid UTF-8"):
        read_recording(path)


# -- scenario files ---------------------------------------------------------------------------


def scenario_file(tmp_path: Path, text: str, name: str = "lab.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_a_scenario_file_is_named_by_its_stem_and_described_by_its_docstring(tmp_path) -> None:
    path = scenario_file(
        tmp_path,
        '''\
        """My lab: one actor.

        More words."""
        from netlab import Scenario
        lab = Scenario("Mine", seed=9)
        @lab.actor("solo", count=3)
        def solo(ctx):
            pass
        ''',
        "my_lab.py",
    )
    loaded = load_scenario(str(path))
    assert (loaded.name, loaded.description, loaded.scenario.seed) == (
        "my_lab",
        "My lab: one actor.",
        9,
    )
    assert loaded.scenario.actor_names() == ["solo-1", "solo-2", "solo-3"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "from netlab import Scenario\nlab = Scenario('t', ports=99)\n",
            "expected 1 to 16 ports",
        ),
        (
            "from netlab import Scenario\nlab = Scenario('t')\n"
            "@lab.actor('a')\ndef a(c): ...\n@lab.actor('a')\ndef b(c): ...\n",
            "declared already",
        ),
        ("from netlab import Scenario\nlab = Scenario('t')\nlab.actor('a')(3)\n", "must decorate"),
        ("x = 1 +* 2\n", "line 1: syntax error"),
        ("from netlab import Scenario\n\n\n1 / 0\n", "line 4: ZeroDivisionError"),
    ],
)
def test_more_scenario_errors_are_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = scenario_file(tmp_path, text)
    with pytest.raises(ScenarioError) as error:
        load_scenario(str(path))
    assert message in str(error.value) and str(path) in str(error.value)
    assert "\n" not in str(error.value)


def test_a_scenario_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "lab.py"
    path.write_bytes(b"\xff\xfe x = 1\n")
    with pytest.raises(ScenarioError, match="cannot be read"):
        load_scenario(str(path))


def test_a_folder_is_not_a_scenario(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(str(tmp_path))


@pytest.mark.parametrize("code", ["0", "2", "'bye'"])
def test_a_scenario_that_exits_as_it_loads_is_a_scenario_error(tmp_path: Path, code: str) -> None:
    path = scenario_file(tmp_path, f"import sys\n\nsys.exit({code})\n")
    with pytest.raises(ScenarioError, match="line 3: SystemExit"):
        load_scenario(str(path))


def test_a_scenario_that_loops_as_it_loads_is_stopped_and_named(tmp_path: Path) -> None:
    path = tmp_path / "loops.py"
    path.write_text('"""Loops."""\nwhile True:\n    pass\n')
    with pytest.raises(ScenarioError, match=r"loops.py: still loading after 0.5 s"):
        load_scenario(str(path), time_limit=0.5)


def test_text_too_long_for_a_screen_is_cut_as_it_is_read() -> None:
    raw = {"seq": 1, "kind": "output", "actor": "a", "text": "y" * 5_000_000, "error": "e" * 10**6}
    event = Event.from_json(raw)
    assert len(event.text) < ev.TEXT_LIMIT + 100 and event.text.endswith(
        "5,000,000 characters in all, cut here)"
    )
    assert len(event.error or "") < ev.TEXT_LIMIT + 100
    data = Event.from_json({"seq": 1, "kind": "return", "data": "eHh4" * 10_000})
    assert data.data == b"x" * ev.PREVIEW_LIMIT  # a preview, whatever a recording holds

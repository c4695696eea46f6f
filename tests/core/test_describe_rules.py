"""One-line descriptions of events, as the trace, the headless printer and the exporters show
them: the call as written in Python, and what it gave, with the expected text written by hand."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from netlab.core.describe import call_text, data_repr, event_text, result_text, value
from netlab.core.events import Event, SockInfo

TCP = SockInfo("client#1", 4, "AF_INET", "SOCK_STREAM", ["127.0.0.1", 40000], ["127.0.0.1", 5000])
UDP = SockInfo("server#2", 6, "AF_INET", "SOCK_DGRAM", ["127.0.0.1", 5000])


def event(op: str = "", kind: str = "return", **fields: Any) -> Event:
    return Event(seq=1, kind=kind, actor="client", op=op, **fields)


# -- values --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (["127.0.0.1", 5000], "('127.0.0.1', 5000)"),
        (["::1", 5000, 0, 0], "('::1', 5000, 0, 0)"),
        ([7], "(7,)"),
        ([], "()"),
        ([["127.0.0.1", 1], 2], "(('127.0.0.1', 1), 2)"),
        ("hello", "'hello'"),
        ("", "''"),
        (5, "5"),
        (1.5, "1.5"),
        (None, "None"),
        (True, "True"),
    ],
)
def test_a_json_value_as_python_prints_it(raw: object, shown: str) -> None:
    assert value(raw) == shown


@pytest.mark.parametrize(
    "name",
    [
        "AF_INET",
        "SOCK_DGRAM",
        "SOL_SOCKET",
        "SO_REUSEADDR",
        "IPPROTO_TCP",
        "TCP_NODELAY",
        "IP_TTL",
        "SHUT_WR",
    ],
)
def test_a_constant_is_shown_by_its_name(name: str) -> None:
    assert value(name) == name
    assert value([name, 1]) == f"({name}, 1)"


def test_a_name_like_a_constant_is_still_quoted() -> None:
    assert value("AFINET") == "'AFINET'"
    assert value("af_inet") == "'af_inet'"
    assert value("xAF_INET") == "'xAF_INET'"


def test_hostile_text_in_a_value_is_made_visible() -> None:
    assert value("SO_\x1b[2J") == "SO_\\x1b[2J"
    assert value("\u202eevil") == "'\\u202eevil'"
    assert value(["\x1b", 1]) == "('\\x1b', 1)"
    assert value(b"\x1b") == "b'\\x1b'"


# -- data ----------------------------------------------------------------------------------------


def test_data_as_a_bytes_literal() -> None:
    assert data_repr(event(data=b"hi\n", data_len=3)) == "b'hi\\n'"


def test_data_longer_than_the_limit_is_cut_and_counted() -> None:
    data = bytes(range(65, 65 + 60))
    assert data_repr(event(data=data, data_len=60)) == (
        "b'ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnop'...(60 bytes)"
    )
    assert data_repr(event(data=b"abcdef", data_len=6), limit=4) == "b'abcd'...(6 bytes)"


def test_data_of_exactly_the_limit_is_whole() -> None:
    assert data_repr(event(data=b"a" * 48, data_len=48)) == "b'" + "a" * 48 + "'"
    assert data_repr(event(data=b"abcd", data_len=4), limit=4) == "b'abcd'"


def test_the_count_is_the_full_length_not_the_preview() -> None:
    assert data_repr(event(data=b"x" * 256, data_len=10240)) == (
        "b'" + "x" * 48 + "'...(10240 bytes)"
    )
    assert data_repr(event(data=b"ab", data_len=10240)) == "b'ab'...(10240 bytes)"


def test_no_data_is_empty_bytes() -> None:
    assert data_repr(event()) == "b''"
    assert data_repr(event(data_len=100)) == "b''...(100 bytes)"


# -- calls ---------------------------------------------------------------------------------------


def test_a_call_as_written_in_python() -> None:
    assert call_text(event("bind", args=(["127.0.0.1", 5000],))) == "bind(('127.0.0.1', 5000))"
    assert call_text(event("socket", args=("AF_INET", "SOCK_STREAM"))) == (
        "socket(AF_INET, SOCK_STREAM)"
    )
    assert call_text(event("setsockopt", args=("SOL_SOCKET", "SO_REUSEADDR", 1))) == (
        "setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)"
    )
    assert call_text(event("close")) == "close()"


@pytest.mark.parametrize("op", ["send", "sendall"])
def test_a_send_shows_its_bytes(op: str) -> None:
    assert call_text(event(op, args=("<5 bytes>",), data=b"hello", data_len=5)) == (
        f"{op}(b'hello')"
    )


def test_sendto_shows_its_bytes_and_the_address() -> None:
    text = call_text(event("sendto", args=("<2 bytes>", ["127.0.0.1", 9]), data=b"hi", data_len=2))
    assert text == "sendto(b'hi', ('127.0.0.1', 9))"


def test_a_send_without_its_bytes_shows_their_size_not_a_string() -> None:
    assert call_text(event("send", args=("<5 bytes>",), data_len=5)) == "send(<5 bytes>)"
    # A string the program passed (a recording may hold anything there) stays a string.
    assert call_text(event("send", args=("<5 bytes> and more",))) == "send('<5 bytes> and more')"


def test_a_send_with_bytes_but_no_arguments() -> None:
    assert call_text(event("send", data=b"hi", data_len=2)) == "send()"


def test_a_receive_shows_its_size_not_its_bytes() -> None:
    assert call_text(event("recv", args=(1024,), data=b"hi", data_len=2)) == "recv(1024)"


# -- results -------------------------------------------------------------------------------------


def test_an_error_by_its_message_and_errno() -> None:
    text = result_text(
        event(
            "connect",
            kind="raise",
            errno="ECONNREFUSED",
            error="ConnectionRefusedError: [Errno 111] Connection refused",
        )
    )
    assert text == "raised ConnectionRefusedError: [Errno 111] Connection refused [ECONNREFUSED]"
    assert result_text(event("recv", kind="raise", error="TimeoutError: timed out")) == (
        "raised TimeoutError: timed out"
    )
    assert result_text(event("recv", kind="raise")) == "raised an error"
    assert result_text(event("recv", kind="raise", error="E: \x1b[2J")) == "raised E: \\x1b[2J"


def test_a_blocked_call_and_its_timeout() -> None:
    assert result_text(event("recv", kind="block")) == "blocked"
    assert result_text(event("recv", kind="block", result=5.0)) == "blocked (timeout 5 s)"
    assert result_text(event("recv", kind="block", result=0.25)) == "blocked (timeout 0.25 s)"
    assert result_text(event("sleep", kind="block", result=2)) == "blocked (timeout 2 s)"
    assert result_text(event("recv", kind="block", result="later")) == "blocked"


def test_recv_shows_the_bytes_and_their_count() -> None:
    assert result_text(event("recv", data=b"hello", data_len=5, sock=TCP)) == (
        "b'hello'  (5 bytes)"
    )
    assert result_text(event("recv_into", data=b"x" * 256, data_len=10240, sock=TCP)) == (
        "b'" + "x" * 48 + "'...(10240 bytes)"  # its size said once
    )


def test_recv_of_nothing_is_the_end_of_the_stream() -> None:
    assert result_text(event("recv", data=b"", data_len=0, sock=TCP)) == "b''  (peer closed: EOF)"


def test_recv_without_its_bytes_shows_the_result() -> None:
    assert result_text(event("recv", result=5, sock=TCP)) == "5"


def test_recvfrom_is_the_bytes_and_the_sender() -> None:
    text = result_text(
        event("recvfrom", data=b"hi", data_len=2, result=["127.0.0.1", 49811], sock=UDP)
    )
    assert text == "(b'hi', ('127.0.0.1', 49811))"
    assert result_text(event("recvfrom", result=["127.0.0.1", 1], sock=UDP)) == ("('127.0.0.1', 1)")


def test_a_new_socket_by_its_name_and_descriptor() -> None:
    assert result_text(event("socket", result="client#1", sock=TCP)) == "client#1 (fd 4)"
    assert result_text(event("socket", result="client#1")) == "'client#1'"


def test_a_helper_returns_its_socket_by_name() -> None:
    assert result_text(event("create_connection", result="client#1", sock=TCP)) == "client#1"
    assert result_text(event("create_connection", result="client#9", sock=TCP)) == "'client#9'"


def test_accept_returns_the_new_socket_and_the_client() -> None:
    assert result_text(event("accept", result=["server#2", ["127.0.0.1", 52990]], sock=TCP)) == (
        "(server#2, ('127.0.0.1', 52990))"
    )
    assert result_text(event("accept", result=["\x1b[2J", ["127.0.0.1", 1]])) == (
        "(\\x1b[2J, ('127.0.0.1', 1))"
    )
    assert result_text(event("accept", result=["a", "b", "c"])) == "('a', 'b', 'c')"


def test_connect_ex_names_its_error() -> None:
    assert result_text(event("connect_ex", result=111, sock=TCP)) == "111 (ECONNREFUSED)"
    assert result_text(event("connect_ex", result=0, sock=TCP)) == "0"
    assert result_text(event("connect_ex", result=99999, sock=TCP)) == "99999 (?)"
    assert result_text(event("connect", result=111, sock=TCP)) == "111"


def test_send_returns_a_count() -> None:
    assert result_text(event("send", data=b"abc", data_len=10, result=4, sock=TCP)) == "4"
    assert result_text(event("sendto", data=b"abc", data_len=3, result=3, sock=UDP)) == "3"
    assert result_text(event("sendall", data=b"abc", data_len=3, sock=TCP)) == "None"
    # a count only when it is a number: anything else is shown as the value it is
    assert result_text(event("send", result="4", sock=TCP)) == "'4'"


def test_anything_else_is_its_value() -> None:
    assert result_text(event("getsockname", result=["127.0.0.1", 5000], sock=TCP)) == (
        "('127.0.0.1', 5000)"
    )
    assert result_text(event("close", sock=TCP)) == "None"


# -- whole lines ---------------------------------------------------------------------------------


def test_an_outcome_is_the_call_and_what_it_gave() -> None:
    assert event_text(event("recv", args=(1024,), data=b"hi", data_len=2, sock=TCP)) == (
        "recv(1024) -> b'hi'  (2 bytes)"
    )
    assert event_text(event("recv", kind="block", args=(1024,), sock=TCP)) == (
        "recv(1024) -> blocked"
    )
    assert event_text(event("bind", kind="raise", args=(["127.0.0.1", 80],), errno="EACCES")) == (
        "bind(('127.0.0.1', 80)) -> raised an error [EACCES]"
    )


def test_a_call_under_way() -> None:
    assert event_text(event("accept", kind="call")) == "accept() ..."


def test_a_woken_call() -> None:
    assert event_text(event("recv", kind="wake")) == (
        "recv() can go on: the kernel says the socket is ready"
    )
    assert event_text(event("recv", kind="wake", result="timeout")) == (
        "recv() timed out on the virtual clock"
    )


def test_the_lines_of_the_lab_itself() -> None:
    assert event_text(event(kind="yield", text="polling")) == "gives way to the others (polling)"
    assert event_text(event(kind="output", op="stdout", text="hello")) == "| hello"
    assert event_text(event(kind="output", op="stderr", text="oops")) == "! oops"
    assert event_text(event(kind="note", text="TCP is a stream")) == '" TCP is a stream'
    assert event_text(event(kind="actor-start", result=1234)) == "started (pid 1234)"
    assert event_text(event(kind="actor-exit")) == "finished"
    assert event_text(event(kind="actor-exit", error="ValueError: bad")) == (
        "crashed: ValueError: bad"
    )
    assert event_text(event(kind="deadlock", text="client in recv()")) == (
        "deadlock: client in recv()"
    )
    assert event_text(event(kind="end", result="completed", text="every actor finished")) == (
        "completed: every actor finished"
    )
    assert event_text(event(kind="kernel", text="x")) == "x"


def test_a_link_decision_says_whose_it_is() -> None:
    modelled = MappingProxyType({"modelled": True})
    assert event_text(event(kind="link", text="datagram #1 dropped", extra=modelled)) == (
        "[link model] datagram #1 dropped"
    )
    assert event_text(event(kind="link", text="2 dropped by the kernel")) == (
        "[kernel] 2 dropped by the kernel"
    )
    not_modelled = MappingProxyType({"modelled": False})
    assert event_text(event(kind="link", text="x", extra=not_modelled)) == "[kernel] x"


@pytest.mark.parametrize("kind", ["yield", "output", "note", "link", "deadlock", "end", "kernel"])
def test_text_from_an_actor_or_a_recording_is_made_visible(kind: str) -> None:
    line = event_text(event(kind=kind, text="a\x1b[2J\u202eb\nc", result="r"))
    assert "a\\x1b[2J\\u202eb\\x0ac" in line
    assert "\x1b" not in line
    assert "\n" not in line


def test_an_error_of_a_crashed_actor_is_made_visible() -> None:
    assert event_text(event(kind="actor-exit", error="E\x1b[2J")) == "crashed: E\\x1b[2J"


def test_a_send_that_took_part_shows_what_it_was_given_and_returns_the_part() -> None:
    sent = event("send", args=("<18000 bytes>",), data=b"abc" * 100, data_len=6144, result=6144)
    assert call_text(sent) == f"send({b'abc' * 16!r}...(18000 bytes))"
    assert result_text(sent) == "6144"

"""The reducer's rules, one by one: what each event does to the lab's state (DESIGN §1.2).

The states and statuses are written out by hand, as a learner reads them in the actor panels.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from netlab.core.events import Event, SockInfo
from netlab.core.reducer import reduce

NEW_TCP = SockInfo("client#1", 3, "AF_INET", "SOCK_STREAM", ["0.0.0.0", 0])
TCP = SockInfo("client#1", 4, "AF_INET", "SOCK_STREAM", ["127.0.0.1", 40000], ["127.0.0.1", 5000])
UDP = SockInfo("client#2", 5, "AF_INET", "SOCK_DGRAM", ["127.0.0.1", 41000])
UNBOUND_UDP = SockInfo("client#2", 5, "AF_INET", "SOCK_DGRAM")


class Lab:
    """Events numbered as they are made."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, kind: str, op: str = "", actor: str = "client", **fields: Any) -> Event:
        event = Event(seq=len(self.events) + 1, kind=kind, actor=actor, op=op, **fields)
        self.events.append(event)
        return event

    def step(self, op: str, sock: SockInfo | None = None, **fields: Any) -> Event:
        """A call and its return."""
        self.add("call", op, sock=sock, args=fields.get("args", ()))
        return self.add("return", op, sock=sock, **fields)


def socket_state(events: list[Event], sock: str = "client#1", actor: str = "client") -> str:
    return reduce(events).actors[actor].sockets[sock].state


# -- the state before anything happened ----------------------------------------------------------


def test_no_events_no_state() -> None:
    state = reduce([])
    assert state.actors == {}
    assert state.kernel is None
    assert (state.vtime, state.step, state.events) == (0.0, 0, 0)
    assert (state.outcome, state.outcome_text, state.deadlock) == (None, "", "")


def test_the_clock_is_the_last_event_s_and_the_step_the_highest() -> None:
    events = [
        Event(seq=1, kind="note", vtime=1.5, step=3),
        Event(seq=2, kind="link", vtime=0.25, step=2),
    ]
    state = reduce(events)
    assert state.vtime == 0.25
    assert state.step == 3
    assert state.events == 2
    assert reduce(events[:1]).vtime == 1.5


def test_events_of_no_consequence_are_only_counted() -> None:
    events = [Event(seq=1, kind=kind, actor="client") for kind in ("note", "link", "yield")]
    state = reduce(events)
    assert state.events == 3
    assert state.actors == {}


# -- actors --------------------------------------------------------------------------------------


def test_an_actor_that_started_is_ready_with_its_pid_and_runs_at_its_first_call() -> None:
    lab = Lab()
    lab.add("actor-start", actor="server", result=4242)
    server = reduce(lab.events).actors["server"]
    assert server.name == "server"
    assert server.status == "ready"  # it waits for its turn: nothing of it has run yet
    assert server.pid == 4242
    assert (server.sockets, server.call, server.output) == ({}, None, [])
    assert (server.error, server.traceback) == (None, "")


def test_a_pid_that_is_not_a_number_is_unknown() -> None:
    lab = Lab()
    lab.add("actor-start", actor="server", result="PID")
    assert reduce(lab.events).actors["server"].pid is None


def test_an_actor_named_first_by_its_output_is_starting() -> None:
    lab = Lab()
    lab.add("output", actor="client-2", text="hello")
    lab.add("output", actor="client-2", text="again")
    actor = reduce(lab.events).actors["client-2"]
    assert actor.name == "client-2"
    assert actor.status == "starting"
    assert actor.output == ["hello", "again"]


def test_a_call_under_way_then_blocked_then_ready_then_done() -> None:
    lab = Lab()
    lab.add("actor-start", result=1)
    call = lab.add("call", "recv", sock=TCP, args=(1024,))
    client = reduce(lab.events).actors["client"]
    assert client.status == "running"
    assert client.call == call
    assert client.blocked_on is None

    lab.add("block", "recv", sock=TCP, args=(1024,))
    client = reduce(lab.events).actors["client"]
    assert client.status == "blocked"
    assert client.call == call
    assert client.blocked_on == "recv() on client#1"

    lab.add("wake", "recv", sock=TCP)
    client = reduce(lab.events).actors["client"]
    assert client.status == "ready"
    assert client.blocked_on is None

    lab.add("return", "recv", sock=TCP, args=(1024,), data=b"hi", data_len=2)
    client = reduce(lab.events).actors["client"]
    assert client.status == "running"
    assert client.call is None


def test_a_wait_without_a_socket() -> None:
    lab = Lab()
    lab.add("call", "select", args=(None,))
    lab.add("block", "select", args=(None,))
    assert reduce(lab.events).actors["client"].blocked_on == "select()"


def test_the_steps_inside_a_helper_are_the_calls_under_way() -> None:
    lab = Lab()
    helper = MappingProxyType({"compound": True})
    lab.add("call", "create_connection", args=(["127.0.0.1", 5000],), extra=helper)
    client = reduce(lab.events).actors["client"]
    assert client.status == "running"
    assert client.call is None
    inner = lab.add("call", "connect", sock=NEW_TCP, args=(["127.0.0.1", 5000],))
    lab.add("call", "create_connection", extra=helper)
    assert reduce(lab.events).actors["client"].call == inner


def test_a_call_that_is_not_a_helper_is_under_way() -> None:
    lab = Lab()
    call = lab.add("call", "connect", extra=MappingProxyType({"compound": False}))
    assert reduce(lab.events).actors["client"].call == call


def test_a_call_that_raised_is_over() -> None:
    lab = Lab()
    lab.add("call", "connect", sock=NEW_TCP, args=(["127.0.0.1", 9],))
    lab.add("block", "connect", sock=NEW_TCP)
    lab.add("raise", "connect", sock=NEW_TCP, errno="ECONNREFUSED", error="refused")
    client = reduce(lab.events).actors["client"]
    assert client.status == "running"
    assert client.call is None
    assert client.blocked_on is None
    assert client.sockets["client#1"].state == "new"


def test_a_call_that_raised_names_its_socket() -> None:
    lab = Lab()
    lab.add("raise", "recv", actor="server", sock=TCP, errno="ECONNRESET")
    sockets = reduce(lab.events).actors["server"].sockets
    assert list(sockets) == ["client#1"]
    assert (sockets["client#1"].fd, sockets["client#1"].peer) == (4, ["127.0.0.1", 5000])


def test_a_call_that_raised_without_a_socket() -> None:
    lab = Lab()
    lab.add("raise", "sleep", actor="server", error="ValueError: negative")
    server = reduce(lab.events).actors["server"]
    assert server.status == "running"
    assert server.sockets == {}


def test_an_actor_that_finished_closed_what_it_left_open() -> None:
    lab = Lab()
    lab.step("socket", NEW_TCP)
    lab.step("connect", TCP, args=(["127.0.0.1", 5000],))
    lab.step("socket", UNBOUND_UDP)
    lab.add("call", "recv", sock=TCP)
    lab.add("actor-exit")
    client = reduce(lab.events).actors["client"]
    assert client.status == "done"
    assert client.call is None
    assert client.error is None
    assert {sock.state for sock in client.sockets.values()} == {"closed"}


def test_an_actor_that_crashed_keeps_its_error_and_traceback() -> None:
    lab = Lab()
    lab.step("socket", NEW_TCP)
    lab.add("call", "recv", sock=NEW_TCP)
    lab.add("actor-exit", error="ValueError: bad", text="Traceback ...\nValueError: bad")
    client = reduce(lab.events).actors["client"]
    assert client.status == "crashed"
    assert client.call is None
    assert client.error == "ValueError: bad"
    assert client.traceback == "Traceback ...\nValueError: bad"
    assert client.sockets["client#1"].state == "closed"


# -- sockets -------------------------------------------------------------------------------------


def test_a_new_socket_is_known_by_its_id_descriptor_family_and_type() -> None:
    lab = Lab()
    lab.step("socket", NEW_TCP, args=("AF_INET", "SOCK_STREAM"), result="client#1")
    sock = reduce(lab.events).actors["client"].sockets["client#1"]
    assert (sock.id, sock.fd, sock.family, sock.type) == ("client#1", 3, "AF_INET", "SOCK_STREAM")
    assert (sock.local, sock.peer, sock.state) == (["0.0.0.0", 0], None, "new")
    assert (sock.bytes_in, sock.bytes_out) == (0, 0)


def test_a_socket_follows_what_each_event_says_of_it() -> None:
    lab = Lab()
    lab.step("socket", NEW_TCP)
    moved = SockInfo("client#1", 9, "AF_INET6", "SOCK_DGRAM", ["::1", 1], ["::1", 2])
    lab.step("getsockname", moved)
    sock = reduce(lab.events).actors["client"].sockets["client#1"]
    assert (sock.fd, sock.local, sock.peer) == (9, ["::1", 1], ["::1", 2])
    assert (sock.family, sock.type) == ("AF_INET", "SOCK_STREAM")  # as it was made


def test_each_actor_has_its_own_sockets() -> None:
    lab = Lab()
    lab.step("socket", NEW_TCP)
    lab.add("return", "socket", actor="server", sock=UDP)
    state = reduce(lab.events)
    assert list(state.actors["client"].sockets) == ["client#1"]
    assert list(state.actors["server"].sockets) == ["client#2"]


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        ("socket", "new"),
        ("bind", "bound"),
        ("listen", "listening"),
        ("connect", "connected"),
        ("create_connection", "connected"),
        ("create_server", "listening"),
        ("shutdown", "shut down"),
        ("close", "closed"),
        ("setsockopt", "listening"),
        ("getsockname", "listening"),
    ],
)
def test_the_state_a_call_leaves_a_socket_in(op: str, expected: str) -> None:
    lab = Lab()
    lab.step("socket", NEW_TCP)
    lab.step("bind", TCP)
    lab.step("listen", TCP)
    lab.step(op, TCP)
    assert socket_state(lab.events) == expected


@pytest.mark.parametrize(
    ("op", "expected"), [("create_server", "listening"), ("create_connection", "connected")]
)
def test_a_helper_leaves_a_new_socket_ready(op: str, expected: str) -> None:
    lab = Lab()
    lab.step(op, TCP, result="client#1")
    assert socket_state(lab.events) == expected


def test_a_whole_client_life() -> None:
    lab = Lab()
    seen = []
    for op, sock in [
        ("socket", NEW_TCP),
        ("connect", TCP),
        ("shutdown", TCP),
        ("close", TCP),
    ]:
        lab.step(op, sock)
        seen.append(socket_state(lab.events))
    assert seen == ["new", "connected", "shut down", "closed"]


def test_a_socket_made_again_is_new() -> None:
    lab = Lab()
    lab.step("socket", NEW_TCP)
    lab.step("close", NEW_TCP)
    lab.step("socket", NEW_TCP)
    assert socket_state(lab.events) == "new"


def test_connect_ex_connects_only_when_it_returns_zero() -> None:
    lab = Lab()
    lab.step("socket", NEW_TCP)
    lab.step("connect_ex", NEW_TCP, result=111)
    assert socket_state(lab.events) == "new"
    lab.step("connect_ex", TCP, result=0)
    assert socket_state(lab.events) == "connected"


def test_a_return_with_the_result_zero_does_not_connect_other_calls() -> None:
    lab = Lab()
    lab.step("socket", NEW_TCP)
    lab.step("setblocking", NEW_TCP, result=0)
    assert socket_state(lab.events) == "new"


def test_accept_makes_a_connected_socket_for_the_client() -> None:
    listening = SockInfo("server#1", 3, "AF_INET", "SOCK_STREAM", ["127.0.0.1", 5000])
    new = SockInfo(
        "server#2", 4, "AF_INET", "SOCK_STREAM", ["127.0.0.1", 5000], ["127.0.0.1", 40000]
    )
    lab = Lab()
    lab.add("return", "listen", actor="server", sock=listening)
    lab.add("return", "accept", actor="server", sock=listening, new_sock=new)
    sockets = reduce(lab.events).actors["server"].sockets
    assert sockets["server#1"].state == "listening"
    conn = sockets["server#2"]
    assert conn.state == "connected"
    assert (conn.fd, conn.family, conn.type) == (4, "AF_INET", "SOCK_STREAM")
    assert conn.peer == ["127.0.0.1", 40000]
    assert "client" not in reduce(lab.events).actors


def test_a_return_without_a_socket_changes_no_socket() -> None:
    lab = Lab()
    lab.step("socket", NEW_TCP)
    lab.step("close")
    assert socket_state(lab.events) == "new"


# -- bytes ---------------------------------------------------------------------------------------


def test_bytes_out_count_every_byte_sent_not_the_preview() -> None:
    lab = Lab()
    lab.step("socket", NEW_TCP)
    lab.step("connect", TCP)
    lab.step("sendall", TCP, data=b"x" * 256, data_len=10240)
    lab.step("send", TCP, data=b"abc", data_len=3, result=3)
    sock = reduce(lab.events).actors["client"].sockets["client#1"]
    assert sock.bytes_out == 10243
    assert sock.bytes_in == 0
    assert sock.state == "connected"


def test_bytes_in_count_every_byte_received() -> None:
    lab = Lab()
    lab.step("socket", NEW_TCP)
    lab.step("connect", TCP)
    lab.step("recv", TCP, data=b"x" * 256, data_len=4096)
    lab.step("recv_into", TCP, data=b"ab", data_len=2)
    sock = reduce(lab.events).actors["client"].sockets["client#1"]
    assert sock.bytes_in == 4098
    assert sock.bytes_out == 0
    assert sock.state == "connected"


def test_datagrams_are_counted_both_ways() -> None:
    lab = Lab()
    lab.step("socket", UNBOUND_UDP)
    lab.step("sendto", UDP, data=b"ping", data_len=4, result=4)
    lab.step("sendto", UDP, data=b"ping!", data_len=5, result=5)
    lab.step("recvfrom", UDP, data=b"pong", data_len=4, result=["127.0.0.1", 5000])
    lab.step("recvfrom", UDP, data=b"", data_len=0, result=["127.0.0.1", 5000])
    sock = reduce(lab.events).actors["client"].sockets["client#2"]
    assert (sock.bytes_out, sock.bytes_in) == (9, 4)


def test_the_first_datagram_sent_binds_the_socket() -> None:
    lab = Lab()
    lab.step("socket", UNBOUND_UDP)
    assert socket_state(lab.events, "client#2") == "new"
    lab.step("sendto", UDP, data=b"ping", data_len=4, result=4)
    assert socket_state(lab.events, "client#2") == "bound"


def test_a_send_on_a_socket_without_an_address_leaves_it_new() -> None:
    lab = Lab()
    lab.step("socket", UNBOUND_UDP)
    lab.step("sendto", UNBOUND_UDP, data=b"ping", data_len=4, result=4)
    assert socket_state(lab.events, "client#2") == "new"


def test_a_send_on_a_listening_socket_leaves_it_listening() -> None:
    lab = Lab()
    lab.step("listen", TCP)
    lab.step("send", TCP, data=b"a", data_len=1, result=1)
    assert socket_state(lab.events) == "listening"


def test_nothing_received_on_a_stream_is_the_peer_closing() -> None:
    lab = Lab()
    lab.step("connect", TCP)
    lab.step("recv", TCP, data=b"", data_len=0)
    assert socket_state(lab.events) == "peer closed"


def test_an_empty_datagram_closes_nothing() -> None:
    lab = Lab()
    lab.step("bind", UDP)
    lab.step("recv", UDP, data=b"", data_len=0)
    assert socket_state(lab.events, "client#2") == "bound"


def test_a_receive_of_some_bytes_leaves_a_stream_connected() -> None:
    lab = Lab()
    lab.step("connect", TCP)
    lab.step("recv", TCP, data=b"a", data_len=1)
    assert socket_state(lab.events) == "connected"


# -- the lab as a whole --------------------------------------------------------------------------


def test_a_deadlock_and_the_end() -> None:
    lab = Lab()
    lab.add("deadlock", actor="", text="client in recv() on client#1")
    lab.add("end", actor="", result="deadlock", text="nothing can happen any more")
    state = reduce(lab.events)
    assert state.deadlock == "client in recv() on client#1"
    assert state.outcome == "deadlock"
    assert state.outcome_text == "nothing can happen any more"
    assert state.actors == {}


def test_the_outcome_is_text() -> None:
    lab = Lab()
    lab.add("end", actor="", result=3)
    assert reduce(lab.events).outcome == "3"


def kernel(sockets: object) -> list[Event]:
    return [Event(seq=1, kind="kernel", extra=MappingProxyType({"sockets": sockets}))]


def test_what_the_kernel_said_of_each_socket() -> None:
    state = reduce(
        kernel(
            {
                "client#1": ["ESTAB", 0, 3, 0],
                "server#1": ["LISTEN", 0, 0, 0],
                "u#1": ["UNCONN", 1, 2, 7],
            }
        )
    )
    assert state.kernel == {
        "client#1": ("ESTAB", 0, 3, 0),
        "server#1": ("LISTEN", 0, 0, 0),
        "u#1": ("UNCONN", 1, 2, 7),
    }
    seen = state.kernel["u#1"]
    assert (seen.state, seen.send_queue, seen.recv_queue, seen.drops) == ("UNCONN", 1, 2, 7)


def test_the_kernel_s_word_is_the_latest() -> None:
    events = [*kernel({"a#1": ["ESTAB", 0, 0, 0]}), *kernel({"a#1": ["TIME-WAIT", 0, 0, 0]})]
    assert reduce(events).kernel == {"a#1": ("TIME-WAIT", 0, 0, 0)}
    assert reduce([*events, *kernel(None)]).kernel is None


@pytest.mark.parametrize("sockets", [None, [], "ESTAB", 3], ids=["none", "list", "text", "number"])
def test_a_kernel_event_without_sockets_means_unknown(sockets: object) -> None:
    assert reduce(kernel(sockets)).kernel is None
    assert reduce([Event(seq=1, kind="kernel")]).kernel is None


@pytest.mark.parametrize(
    "row",
    [
        ["ESTAB", 0, 0],
        ["ESTAB", 0, 0, 0, 0],
        ("ESTAB", 0, 0, 0),
        [5, 0, 0, 0],
        ["estab", 0, 0, 0],
        ["\x1b[2J", 0, 0, 0],
        ["A-VERY-LONG-STATE", 0, 0, 0],
        ["", 0, 0, 0],
        ["ESTAB", True, 0, 0],
        ["ESTAB", "0", 0, 0],
        ["ESTAB", 0, 1.5, 0],
        ["ESTAB", 0, 0, None],
        ["ESTAB", 0, 0, False],
    ],
)
def test_a_row_not_as_the_conductor_writes_it_is_left_out(row: object) -> None:
    state = reduce(kernel({"bad#1": row, "good#1": ["CLOSE-WAIT", 10, 20, 0]}))
    assert state.kernel == {"good#1": ("CLOSE-WAIT", 10, 20, 0)}


def test_a_state_of_twelve_characters_is_kept() -> None:
    assert reduce(kernel({"a#1": ["SYN-RECV2345", 0, 0, 0]})).kernel == {
        "a#1": ("SYN-RECV2345", 0, 0, 0)
    }


def test_a_thread_s_calls_on_its_actor_s_socket_keep_one_socket_state_in_the_actor() -> None:
    lab = Lab()
    lab.add("actor-start", actor="server", result=1)
    listener = SockInfo("server#1", 3, "AF_INET", "SOCK_STREAM", ["127.0.0.1", 5000])
    lab.add("return", actor="server", op="listen", sock=listener)
    lab.add("actor-start", actor="server/Thread-1", result=1, extra={"thread_of": "server"})
    lab.add("return", actor="server/Thread-1", op="getsockname", sock=listener)
    state = reduce(lab.events)
    assert state.actors["server"].sockets["server#1"].state == "listening"
    assert state.actors["server/Thread-1"].sockets == {}  # not a socket of its own, "new"

"""The reducer: a lab's state from its events alone, from a server's side and a client's."""

from __future__ import annotations

from netlab.core import events as ev
from netlab.core import reducer
from netlab.core.events import Event, SockInfo


def sock(id_: str, local=None, peer=None, kind: str = "SOCK_STREAM") -> SockInfo:
    return SockInfo(id_, 3, "AF_INET", kind, local, peer)


HERE, THERE = ["127.0.0.1", 40000], ["127.0.0.1", 5000]


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


def test_a_send_and_a_receive_count_their_full_length_not_their_preview() -> None:
    """An event keeps a 256-byte preview of the data; the byte counts are of all of it."""
    connected = sock("c#1", HERE, THERE)
    preview = b"x" * ev.PREVIEW_LIMIT
    log = [
        Event(1, ev.RETURN, "c", op="sendall", sock=connected, data=preview, data_len=10240),
        Event(2, ev.RETURN, "c", op="send", sock=connected, data=preview, data_len=300),
        Event(3, ev.RETURN, "c", op="recv", sock=connected, data=preview, data_len=4096),
        Event(4, ev.RETURN, "c", op="recv_into", sock=connected, data=preview, data_len=1000),
    ]
    socket_state = reducer.reduce(log).actors["c"].sockets["c#1"]
    assert (socket_state.bytes_out, socket_state.bytes_in) == (10540, 5096)

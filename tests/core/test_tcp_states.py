"""TCP's state diagram as data, and where a socket is in it from what the kernel reported."""

from __future__ import annotations

from typing import Any

import pytest

from netlab.core import tcp_states as tcp
from netlab.core.events import Event, SockInfo
from netlab.core.tcp_states import History, Reading, history, position

NEW = SockInfo("client#1", 3, "AF_INET", "SOCK_STREAM", ["0.0.0.0", 0])
TCP = SockInfo("client#1", 3, "AF_INET", "SOCK_STREAM", ["127.0.0.1", 40000], ["127.0.0.1", 5000])
UDP = SockInfo("client#1", 3, "AF_INET", "SOCK_DGRAM", ["127.0.0.1", 40000])
UNIX = SockInfo("client#1", 3, "AF_UNIX", "SOCK_STREAM")

# Every transition of the diagram, as the kernel would report it one step after the other.
EVERY_TRANSITION = [
    (tcp.CLOSED, tcp.LISTEN, "listen()"),
    (tcp.CLOSED, tcp.SYN_SENT, "connect(): SYN sent"),
    (tcp.LISTEN, tcp.SYN_RECV, "SYN received, SYN+ACK sent"),
    (tcp.SYN_RECV, tcp.ESTAB, "ACK received: the handshake is done"),
    (tcp.SYN_SENT, tcp.ESTAB, "SYN+ACK received, ACK sent"),
    (tcp.SYN_SENT, tcp.SYN_RECV, "SYN received (both ends opened at once), SYN+ACK sent"),
    (tcp.ESTAB, tcp.FIN_WAIT_1, "close(): FIN sent"),
    (tcp.SYN_RECV, tcp.FIN_WAIT_1, "close(): FIN sent"),
    (tcp.FIN_WAIT_1, tcp.FIN_WAIT_2, "ACK of FIN received"),
    (tcp.FIN_WAIT_2, tcp.TIME_WAIT, "FIN received, ACK sent"),
    (tcp.FIN_WAIT_1, tcp.CLOSING, "FIN received, ACK sent (both ends closed at once)"),
    (tcp.CLOSING, tcp.TIME_WAIT, "ACK of FIN received"),
    (tcp.FIN_WAIT_1, tcp.TIME_WAIT, "FIN and the ACK of FIN received, ACK sent"),
    (tcp.TIME_WAIT, tcp.CLOSED, "2MSL timer (60 s on Linux)"),
    (tcp.ESTAB, tcp.CLOSE_WAIT, "FIN received, ACK sent"),
    (tcp.CLOSE_WAIT, tcp.LAST_ACK, "close(): FIN sent"),
    (tcp.LAST_ACK, tcp.CLOSED, "ACK of FIN received"),
    (tcp.LISTEN, tcp.CLOSED, "close()"),
    (tcp.SYN_SENT, tcp.CLOSED, "RST received (refused), or close()"),
]


def test_the_table_is_the_diagram() -> None:
    assert [(t.source, t.target, t.cause) for t in tcp.TRANSITIONS] == EVERY_TRANSITION
    for t in tcp.TRANSITIONS:
        assert t.source in tcp.STATES and t.target in tcp.STATES
    reached = {t.target for t in tcp.TRANSITIONS} | {t.source for t in tcp.TRANSITIONS}
    assert reached == set(tcp.STATES)  # no state without a way in or out


def _seen(*states: str | None, sock: SockInfo = TCP, accepted: bool = False) -> History:
    """A history whose readings are ``states``, one a step (None: no row; "?": not asked)."""
    readings = [
        Reading(step, None if s in (None, "?") else s, s != "?")
        for step, s in enumerate(states, start=1)
    ]
    return History(sock, readings, accepted)


@pytest.mark.parametrize(("source", "target", "cause"), EVERY_TRANSITION)
def test_every_transition_is_named_by_its_cause(source: str, target: str, cause: str) -> None:
    # CLOSED, to the kernel, is a socket not in its tables: not yet, or no longer.
    before = None if source == tcp.CLOSED else source
    after = None if target == tcp.CLOSED else target
    found = position(_seen(before, after))
    assert found.state == target
    assert found.how == f"{source} → {target} after step {found.step}: {cause}"
    assert found.came_from == source and found.unseen == ()


@pytest.mark.parametrize(
    ("states", "lit", "unseen", "words"),
    [
        # connect() over loopback: SYN-SENT is never seen.
        ((None, "ESTAB"), tcp.ESTAB, ("SYN-SENT",), "passing through SYN-SENT too fast"),
        # The side that closes second, once it closed: LAST-ACK is never seen.
        (("ESTAB", "CLOSE-WAIT", None), tcp.CLOSED, ("LAST-ACK",), "passing through LAST-ACK"),
        # FIN-WAIT-1 is on every way to TIME-WAIT; FIN-WAIT-2 or CLOSING only on some.
        (
            ("ESTAB", "TIME-WAIT"),
            tcp.TIME_WAIT,
            ("FIN-WAIT-1",),
            "FIN-WAIT-1 too fast to be seen (perhaps FIN-WAIT-2 or CLOSING too)",
        ),
        # From ESTAB to no row: no state is on every way there.
        (("ESTAB", None), tcp.CLOSED, (), "through states too fast to be seen"),
    ],
)
def test_states_jumped_over_are_said_to_be_unseen(
    states: tuple[str | None, ...], lit: str, unseen: tuple[str, ...], words: str
) -> None:
    found = _seen(*states)
    if states[0] is None:
        found.readings[-1] = Reading(2, "ESTAB", True, ("connect",))
    if states[-1] is None:
        found.readings[-1] = Reading(len(states), None, True, ("close",))
    where = position(found)
    assert (where.state, where.unseen) == (lit, unseen)
    assert words in where.how


def test_a_close_that_passed_unseen_names_each_cause_on_the_way() -> None:
    found = _seen("ESTAB", "CLOSE-WAIT", None)
    found.readings[-1] = Reading(3, None, True, ("recv", "close"))
    where = position(found)
    assert where.how == (
        "CLOSE-WAIT → CLOSED after step 3, passing through LAST-ACK too fast to be seen: "
        "close(): FIN sent; ACK of FIN received"
    )
    assert [t.target for t in where.path] == [tcp.LAST_ACK, tcp.CLOSED]


def test_what_the_kernel_did_not_report_is_never_claimed() -> None:
    where = position(_seen(None, "ESTAB"))  # no connect() seen: two ways, no state on both
    assert where.state == tcp.ESTAB and where.unseen == ()
    assert "SYN-SENT or LISTEN, SYN-RECV" in where.how


def test_a_socket_accept_returned_was_made_in_the_listeners_queue() -> None:
    where = position(_seen("ESTAB", accepted=True))
    assert where.state == tcp.ESTAB and where.came_from == tcp.LISTEN
    assert where.how.startswith("accept() takes an established connection")
    assert where.unseen == (tcp.SYN_RECV,)


@pytest.mark.parametrize(
    ("found", "kept", "state", "words"),
    [
        (_seen(None), True, tcp.CLOSED, "not in the kernel's tables yet"),
        (_seen("LISTEN", None), True, tcp.CLOSED, "gone from the kernel's tables"),
        (_seen(sock=UDP), True, None, "UDP has no connections"),
        (_seen("UNCONN", sock=UDP), True, None, "UDP has no connections"),
        (_seen(sock=UNIX), True, None, "Unix-domain"),
        (_seen(), False, None, "not known: the kernel's view was not kept"),
        (_seen(), True, None, "not known at this step"),
        (_seen("ESTAB", "?"), True, None, "played at full speed"),
        (_seen("WEIRD"), True, None, "no state of this diagram"),
        (History(), True, None, "Select a step made on a socket"),
    ],
)
def test_where_no_state_can_be_lit_it_says_why(
    found: History, kept: bool, state: str | None, words: str
) -> None:
    where = position(found, kept=kept)
    assert where.state == state
    assert words in where.said


def test_the_kernel_not_asked_in_between_is_said() -> None:
    where = position(_seen("ESTAB", "?", "FIN-WAIT-2"))
    assert where.state == tcp.FIN_WAIT_2
    assert "not asked in between" in where.how


def test_the_kernel_read_now_is_the_last_word() -> None:
    where = position(_seen("ESTAB"), now="CLOSE-WAIT")
    assert (where.state, where.came_from) == (tcp.CLOSE_WAIT, tcp.ESTAB)
    assert position(_seen("ESTAB"), now="CLOSE").state == tcp.CLOSED  # ss's CLOSE


def _event(seq: int, kind: str, step: int = 0, **fields: Any) -> Event:
    return Event(seq=seq, kind=kind, actor="client", step=step, **fields)


def test_history_reads_the_kernel_events_and_what_they_left_unsaid() -> None:
    events = [
        _event(1, "return", 1, op="socket", sock=NEW),
        # No kernel event after step 1: the kernel's view had not changed (no row for it).
        _event(2, "return", 2, op="connect", sock=TCP),
        _event(3, "kernel", 2, extra={"sockets": {"client#1": ["ESTAB", 0, 0, 0]}}),
        _event(4, "return", 3, op="close", sock=TCP),
        _event(5, "kernel", 3, extra={"sockets": None}),  # played at full speed
        _event(6, "return", 4, op="sleep"),
        _event(7, "kernel", 4, extra={"sockets": {"client#1": ["TIME-WAIT", 0, 0, 0]}}),
    ]
    # Before any kernel event, nothing is known.
    assert history(events[:2], "client#1").readings == []
    found = history([_event(0, "kernel", extra={"sockets": {}}), *events], "client#1")
    assert [(r.step, r.state, r.watched) for r in found.readings] == [
        (1, None, True),
        (2, "ESTAB", True),
        (3, None, False),
        (4, "TIME-WAIT", True),
    ]
    assert [r.calls for r in found.readings[:2]] == [("socket",), ("connect",)]
    where = position(found)
    assert where.state == tcp.TIME_WAIT and "not asked in between" in where.how


def test_history_of_an_accepted_socket_waits_for_its_row() -> None:
    conn = SockInfo("server#2", 4, "AF_INET", "SOCK_STREAM", ["127.0.0.1", 5000], ["x", 1])
    events = [
        _event(1, "kernel", 0, extra={"sockets": {}}),
        _event(2, "return", 1, op="accept", new_sock=conn),
    ]
    assert history(events, "server#2").readings == []  # its row comes with the next event
    events.append(_event(3, "kernel", 1, extra={"sockets": {"server#2": ["ESTAB", 0, 0, 0]}}))
    found = history(events, "server#2")
    assert found.accepted and [r.state for r in found.readings] == ["ESTAB"]

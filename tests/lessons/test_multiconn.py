"""multiconn: one selectors server serves three clients; its non-blocking sends take part of
the echo, and the rest waits in the connection's outgoing buffer for the next EVENT_WRITE."""

from __future__ import annotations

from collections import defaultdict

import pytest

from netlab.core import events as ev
from netlab.core.reducer import reduce
from tests.lessons.course_runs import asked, calls, headless, printed, run_lesson

pytestmark = pytest.mark.timeout(60)
SIZE = 18000


def test_a_selectors_server_serves_three_clients_with_partial_sends() -> None:
    conductor = run_lesson("multiconn")
    assert conductor.outcome.kind == "completed"
    # One process, three connections: three accepts, and the selector's select between.
    assert len([e for e in calls(conductor, "accept", "server") if e.kind == ev.RETURN]) == 3
    assert calls(conductor, "select", "server")
    # No call of the server ever waited except select (every socket is non-blocking).
    blocked = {e.op for e in conductor.events if e.kind == ev.BLOCK and e.actor == "server"}
    assert blocked == {"select"}
    # Each connection's echo goes out in several sends, each taking less than it was given,
    # until the whole message is back; every send returned a count, none raised.
    sends = calls(conductor, "send", "server")
    assert all(e.kind == ev.RETURN for e in sends)
    by_conn: dict[str, list[int]] = defaultdict(list)
    for e in sends:
        by_conn[e.sock.id].append(e.result)
    assert len(by_conn) == 3
    for results in by_conn.values():
        assert len(results) > 1 and sum(results) == SIZE
    for name in ("client-1", "client-2", "client-3"):
        assert printed(conductor, name) == [f"{name}: {SIZE} bytes back, the same: True"]
    assert printed(conductor, "server") == ["served 3 clients"]

    (question,) = asked(conductor)
    first = sends[0]
    assert tuple(first.args) == (f"<{SIZE} bytes>",) and first.result < SIZE
    assert question.choice(question.answer).startswith("less")


def test_headless_exit_code() -> None:
    code, trace = headless("multiconn")
    assert code == 0, trace


def test_a_listener_a_selector_watches_stays_listening() -> None:
    """register() returns a selector's key, whose first field is the socket registered: that
    is not a new connection (the listener was shown connected)."""
    conductor = run_lesson("multiconn")
    registered = [e for e in conductor.events if e.op == "register" and e.kind == ev.RETURN]
    assert registered and all(e.new_sock is None for e in registered)
    listened = next(i for i, e in enumerate(conductor.events, 1) if e.op == "listen")
    closed = next(
        i
        for i, e in enumerate(conductor.events, 1)
        if e.op == "close" and e.sock is not None and e.sock.id == "server#1"
    )
    states = [
        reduce(conductor.events[:index]).actors["server"].sockets["server#1"].state
        for index in range(listened + 1, closed, 25)
    ]
    assert set(states) == {"listening"}, states

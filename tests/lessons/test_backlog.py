"""backlog: clients that connect before the server accepts wait in the accept queue (the
listener's Recv-Q); their connect() returns at once, and accept() takes them oldest first."""

from __future__ import annotations

import pytest

from netlab.core import events as ev
from tests.lessons.course_runs import asked, calls, printed, run_lesson

pytestmark = pytest.mark.timeout(60)


def test_connect_returns_before_accept_and_accept_takes_them_in_order() -> None:
    conductor = run_lesson("backlog")
    connects = calls(conductor, "connect", "client")
    accepts = calls(conductor, "accept", "server")
    assert len(connects) == len(accepts) == 3
    assert all(e.kind == ev.RETURN for e in connects)
    assert max(e.vtime for e in connects) < min(e.vtime for e in accepts), "queued, not accepted"
    assert max(e.seq for e in connects) < accepts[0].seq
    blocked = [e for e in conductor.events if e.kind == ev.BLOCK and e.op in ("connect", "accept")]
    assert not blocked, "connect never waits for accept, and accept finds them waiting"
    by_order = sorted(connects, key=lambda e: e.seq)
    assert [e.new_sock.peer for e in accepts] == [e.sock.local for e in by_order], "FIFO"
    assert [e.actor for e in by_order] == ["client-1", "client-2", "client-3"]
    assert [text.split(": ")[-1] for text in printed(conductor, "server")] == [
        "b'client-1'",
        "b'client-2'",
        "b'client-3'",
    ]

    on_connect, on_accept = asked(conductor)
    assert "returns at once" in on_connect.choice(on_connect.answer)
    assert "client-1" in on_accept.choice(on_accept.answer)


def test_the_listeners_recv_q_counts_the_connections_waiting() -> None:
    conductor = run_lesson("backlog", mode="play", pace=0.05)  # the kernel's view is kept
    listener = calls(conductor, "listen", "server")[0].sock.id
    queue = []
    for event in conductor.events:
        row = event.extra.get("sockets", {}) if event.kind == ev.KERNEL else None
        if row and listener in row:
            state, backlog, waiting, _ = row[listener]
            assert state == "LISTEN" and backlog == 5, "a listener's Send-Q is its backlog"
            if not queue or queue[-1] != waiting:
                queue.append(waiting)
    assert queue == [0, 1, 2, 3, 2, 1, 0]

"""port-in-use: a second bind to a listener's port is EADDRINUSE; after the server closed its
connection first (TIME-WAIT) a restart's bind is EADDRINUSE too, unless SO_REUSEADDR is set."""

from __future__ import annotations

import pytest

from netlab.core import events as ev
from tests.lessons.course_runs import asked, calls, run_lesson

pytestmark = pytest.mark.timeout(60)


def test_eaddrinuse_while_listening_and_after_a_restart_until_so_reuseaddr() -> None:
    conductor = run_lesson("port-in-use")
    binds = calls(conductor, "bind", "server")
    assert len({tuple(e.args[0]) for e in binds}) == 1, "every bind is to the same address"
    assert [e.errno for e in binds] == [None, "EADDRINUSE", "EADDRINUSE", None]
    reuse = [e.sock.id for e in calls(conductor, "setsockopt", "server") if e.errno is None]
    assert reuse == [binds[0].sock.id, binds[3].sock.id], "SO_REUSEADDR: old and new listener"
    assert "SO_REUSEADDR" in calls(conductor, "setsockopt", "server")[1].args

    while_listening, after_restart = asked(conductor)
    assert "EADDRINUSE" in while_listening.choice(while_listening.answer)
    assert "TIME-WAIT" in after_restart.choice(after_restart.answer)


def test_the_kernel_keeps_the_servers_end_in_time_wait_before_the_restart() -> None:
    conductor = run_lesson("port-in-use", mode="play", pace=0.05)  # the kernel's view is kept
    (accepted,) = calls(conductor, "accept", "server")
    connection = accepted.new_sock.id
    restart = calls(conductor, "bind", "server")[2]
    seen = [
        e.extra["sockets"].get(connection, [None])[0]
        for e in conductor.events
        if e.kind == ev.KERNEL and e.extra.get("sockets") and e.seq < restart.seq
    ]
    assert seen[-1] == "TIME-WAIT", seen
    (eof,) = [e for e in calls(conductor, "recv", "server") if e.sock.id == connection]
    assert eof.data_len == 0
    kernel_at_eof = [e for e in conductor.events if e.kind == ev.KERNEL and e.seq < eof.seq][-1]
    assert kernel_at_eof.extra["sockets"][connection][0] == "TIME-WAIT", "Kernel tab at recv"
    # A listener closed is gone from the kernel: the new listener on its address is not it.
    closes = {e.sock.id: e.seq for e in calls(conductor, "close", "server")}
    for event in conductor.events:
        rows = event.extra.get("sockets") if event.kind == ev.KERNEL else None
        for sock_id, row in (rows or {}).items():
            closed_at = closes.get(sock_id)
            if closed_at is not None and event.seq > closed_at:
                assert row[0] == "TIME-WAIT", (sock_id, row, "after its close")

"""nonblocking-connect: a non-blocking connect raises EINPROGRESS, the selector reports the
socket writable once the attempt ends, and SO_ERROR says 0 (connected) or 111 (refused)."""

from __future__ import annotations

import errno

import pytest

from netlab.core import events as ev
from tests.lessons.course_runs import asked, calls, run_lesson

pytestmark = pytest.mark.timeout(60)


def test_einprogress_then_writable_then_so_error() -> None:
    conductor = run_lesson("nonblocking-connect")
    connects = calls(conductor, "connect", "client")
    assert [(e.kind, e.errno) for e in connects] == [(ev.RAISE, "EINPROGRESS")] * 2
    assert all(e.error.startswith("BlockingIOError") for e in connects)
    selects = calls(conductor, "select", "client")
    assert len(selects) == 2 and all(e.result for e in selects), "writable both times"
    so_errors = calls(conductor, "getsockopt", "client")
    assert [e.result for e in so_errors] == [0, errno.ECONNREFUSED]
    assert calls(conductor, "recv", "client")[0].data == b"welcome"

    connected, refused = asked(conductor)
    assert connected.choice(connected.answer).startswith(f"{so_errors[0].result}:")
    assert refused.choice(refused.answer).startswith(f"{so_errors[1].result}:")

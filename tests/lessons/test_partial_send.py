"""partial-send: a non-blocking send() returns less than it was given, then EAGAIN; sendall()
waits and sends the rest."""

from __future__ import annotations

import pytest

from netlab.core import events as ev
from tests.lessons.course_runs import asked, calls, headless, printed, run_lesson

pytestmark = pytest.mark.timeout(60)
SIZE = 50_000


def test_a_send_takes_part_then_eagain_then_sendall_sends_the_rest() -> None:
    conductor = run_lesson("partial-send")
    assert conductor.outcome.kind == "completed"
    sends = calls(conductor, "send", "client")
    first, *more, full = sends
    assert first.kind == ev.RETURN and 0 < first.result < SIZE  # part of it, not all
    assert all(e.kind == ev.RETURN and e.result > 0 for e in more)
    assert full.kind == ev.RAISE and full.errno == "EAGAIN"
    sent = sum(e.result for e in [first, *more])
    (sendall,) = calls(conductor, "sendall", "client")
    assert sendall.kind == ev.RETURN and sendall.result is None
    assert sendall.data_len == SIZE - sent
    # sendall waited for the reader at least once before it was done.
    assert any(
        e.kind == ev.BLOCK and e.op == "sendall" and e.actor == "client" for e in conductor.events
    )
    assert f"server received {SIZE} bytes" in printed(conductor, "server")
    assert "SO_SNDBUF is 8192" in printed(conductor, "client")  # 4096 asked, doubled

    on_send, on_sendall = asked(conductor)
    assert dict(on_send.choices)[on_send.answer].startswith("a number below")
    assert "returns None" in dict(on_sendall.choices)[on_sendall.answer]


def test_headless_exit_code() -> None:
    code, trace = headless("partial-send")
    assert code == 0, trace

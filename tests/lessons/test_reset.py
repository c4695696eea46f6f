"""reset: a close with SO_LINGER (on, 0 s) makes the peer's recv raise ECONNRESET; after an
ordinary close the first send succeeds and the next one raises EPIPE (as Linux does by hand)."""

from __future__ import annotations

import pytest

from tests.lessons.course_runs import asked, calls, printed, run_lesson

pytestmark = pytest.mark.timeout(60)


def test_a_zero_linger_close_resets_and_a_second_send_breaks_the_pipe() -> None:
    conductor = run_lesson("reset")
    assert conductor.outcome.kind == "completed"
    [linger] = calls(conductor, "setsockopt", "server")
    assert "SO_LINGER" in linger.args and linger.error is None
    first, second = calls(conductor, "recv", "client")
    assert first.errno == "ECONNRESET" and first.error
    assert second.error is None and second.data == b""
    sends = calls(conductor, "send", "client")
    assert sends[0].error is None and sends[0].result == 5
    assert sends[1].errno == "EPIPE"
    assert printed(conductor, "client") == [
        "recv failed: [Errno 104] Connection reset by peer",
        "recv returned b''",
        "send returned 5",
        "send failed: [Errno 32] Broken pipe",
    ]


def test_the_questions_agree_with_the_run() -> None:
    conductor = run_lesson("reset")
    recv_q, first_send_q, second_send_q = asked(conductor)
    assert "ConnectionResetError" in recv_q.choice(recv_q.answer)
    assert calls(conductor, "recv", "client")[0].errno == "ECONNRESET"
    assert first_send_q.choice(first_send_q.answer) == "it succeeds"
    first, second = calls(conductor, "send", "client")
    assert first.result == 5
    assert "BrokenPipeError" in second_send_q.choice(second_send_q.answer)
    assert second.errno == "EPIPE"

"""half-close: after the client's shutdown(SHUT_WR) the server's recv returns b'', and the server
still answers over the same connection, which the client reads before it closes."""

from __future__ import annotations

import pytest

from tests.lessons.course_runs import asked, calls, printed, run_lesson

pytestmark = pytest.mark.timeout(60)


def test_the_server_reads_the_end_of_the_stream_then_answers() -> None:
    conductor = run_lesson("half-close")
    assert conductor.outcome.kind == "completed"
    [shutdown] = calls(conductor, "shutdown", "client")
    assert list(shutdown.args) == ["SHUT_WR"] and shutdown.error is None
    server_recvs = calls(conductor, "recv", "server")
    assert [e.data for e in server_recvs] == [b"how many words are in this request", b""]
    # The empty recv comes after the client's shutdown; the answer is sent after it.
    [answer] = calls(conductor, "sendall", "server")
    assert shutdown.step < server_recvs[1].step < answer.step
    client_recvs = calls(conductor, "recv", "client")
    assert [e.data for e in client_recvs] == [b"7 words", b""]
    assert printed(conductor, "client") == ["client got b'7 words'"]


def test_the_questions_agree_with_the_run() -> None:
    conductor = run_lesson("half-close")
    by_text = {q.text: q for q in asked(conductor)}
    server_q = next(q for t, q in by_text.items() if "server's next recv" in t)
    assert server_q.choice(server_q.answer).startswith("b''")
    assert calls(conductor, "recv", "server")[1].data == b""
    client_q = next(q for t, q in by_text.items() if "client still receive" in t)
    assert client_q.choice(client_q.answer).startswith("yes")
    assert calls(conductor, "recv", "client")[0].data == b"7 words"

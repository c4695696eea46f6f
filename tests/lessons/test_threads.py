"""threads: a thread per accepted connection, by hand and with socketserver.ThreadingTCPServer;
each thread is a lane of the trace, and client-2 is answered while client-1's thread waits."""

from __future__ import annotations

import pytest

from netlab.core import events as ev
from tests.lessons.course_runs import asked, calls, printed, run_lesson

pytestmark = pytest.mark.timeout(60)


def lanes(conductor, prefix: str) -> set[str]:
    return {e.actor for e in conductor.events if e.actor.startswith(prefix + "/")}


def test_each_connection_has_a_thread_of_its_own() -> None:
    conductor = run_lesson("threads")
    assert conductor.outcome.kind == "completed"
    assert lanes(conductor, "server") == {"server/Thread-1", "server/Thread-2"}
    # socketserver: Thread-1 runs serve_forever (it accepts), one more thread per connection.
    assert lanes(conductor, "server-ss") == {
        "server-ss/Thread-1",
        "server-ss/Thread-2",
        "server-ss/Thread-3",
    }
    [accept_a, accept_b] = calls(conductor, "accept", "server-ss/Thread-1")
    assert accept_a.error is None and accept_b.error is None
    for handler in ("server/Thread-1", "server/Thread-2"):
        reads = [e.data for e in calls(conductor, "recv", handler)]
        assert reads[-1] == b"" and len(reads) == 3  # hello, bye, the end of the stream
    for handler in ("server-ss/Thread-2", "server-ss/Thread-3"):
        assert calls(conductor, "recv_into", handler)[-1].data == b""
    assert printed(conductor, "client-2") == [
        "b'HELLO FROM CLIENT-2\\n'",
        "b'BYE\\n'",
        "b'HELLO FROM CLIENT-2\\n'",
        "b'BYE\\n'",
    ]


def test_client_2_is_answered_while_client_1_is_still_connected() -> None:
    conductor = run_lesson("threads")
    [question] = asked(conductor)
    assert question.choice(question.answer).startswith("at once")
    answered = calls(conductor, "recv", "client-2")[0]
    assert answered.data == b"HELLO FROM CLIENT-2\n" and answered.vtime == pytest.approx(0.1)
    # client-1 sends its second line only at 1 s: its thread still waits in recv meanwhile.
    bye = calls(conductor, "sendall", "client-1")[1]
    assert bye.vtime == pytest.approx(1.0) and answered.step < bye.step
    waiting = [
        e
        for e in conductor.events
        if e.kind == ev.BLOCK and e.actor == "server/Thread-1" and e.op == "recv"
    ]
    assert waiting and waiting[0].step < answered.step

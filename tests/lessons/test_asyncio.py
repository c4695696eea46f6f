"""asyncio: a streams echo server serves two clients with one thread; while client-1's task
awaits asyncio.sleep(1.0) on the virtual clock, client-2 is answered at 0.25 s."""

from __future__ import annotations

import pytest

from tests.lessons.course_runs import asked, calls, printed, run_lesson

pytestmark = pytest.mark.timeout(60)


def test_one_thread_serves_both_clients() -> None:
    conductor = run_lesson("asyncio")
    assert conductor.outcome.kind == "completed"
    # No thread lanes: every server call is the main thread's.
    assert {e.actor for e in conductor.events if e.actor.startswith("server")} == {"server"}
    accepts = [e for e in calls(conductor, "accept", "server") if e.error is None]
    assert len(accepts) == 2
    # The sockets are non-blocking: the loop waits in select, never in recv.
    assert all(e.error is None and e.data for e in calls(conductor, "recv", "server")[:2])
    assert printed(conductor, "server") == ["served 2 clients with one thread"]
    assert printed(conductor, "client-1") == [
        "b'HELLO FROM CLIENT-1\\n'",
        "b'BYE FROM CLIENT-1\\n'",
    ]


def test_client_2_is_served_while_client_1_sleeps() -> None:
    conductor = run_lesson("asyncio")
    [question] = asked(conductor)
    assert question.choice(question.answer).startswith("at once")
    answers = [e for e in calls(conductor, "recv", "client-2") if e.data]
    assert answers[0].data == b"HELLO FROM CLIENT-2\n"
    assert answers[0].vtime == pytest.approx(0.25)
    # client-1 sends its second line after its 1 s sleep: later than client-2's answer.
    client_1_sends = calls(conductor, "send", "client-1")
    assert client_1_sends[1].data.startswith(b"bye") and client_1_sends[1].vtime == 1.0
    assert answers[0].step < client_1_sends[1].step
    # That sleep is a wait of the event loop on the virtual clock: a select with timeout 1.0.
    waits = [e for e in calls(conductor, "select", "client-1") if list(e.args) == [1.0]]
    assert waits and waits[0].vtime == pytest.approx(1.0)

"""timeouts: a TCP recv with settimeout(1.0) raises TimeoutError 1 s later on the virtual clock;
a UDP client retries over a lossy link, and only its own sendto calls ever resend a request."""

from __future__ import annotations

import pytest

from netlab.core import events as ev
from tests.lessons.course_runs import asked, calls, printed, run_lesson

pytestmark = pytest.mark.timeout(60)


def link_events(conductor, actor):
    return [e for e in conductor.events if e.kind == ev.LINK and e.actor == actor]


def test_the_tcp_recv_times_out_after_one_virtual_second() -> None:
    conductor = run_lesson("timeouts")
    assert conductor.outcome.kind == "completed"
    [recv] = calls(conductor, "recv", "client-tcp")
    assert recv.kind == ev.RAISE and recv.error.startswith("TimeoutError")
    [settimeout] = calls(conductor, "settimeout", "client-tcp")
    assert recv.vtime - settimeout.vtime == pytest.approx(1.0)
    assert printed(conductor, "client-tcp") == ["recv: TimeoutError('timed out')"]


def test_the_udp_client_retries_and_says_which_attempts_were_answered() -> None:
    conductor = run_lesson("timeouts")
    assert printed(conductor, "client-udp") == [
        "request 0, attempt 1: no answer",
        "request 0, attempt 2: no answer",
        "request 0, attempt 3: b'answer to request 0'",
        "request 1, attempt 1: no answer",
        "request 1, attempt 2: b'answer to request 1'",
        "request 2, attempt 1: b'answer to request 2'",
        "request 3, attempt 1: b'answer to request 3'",
    ]
    recvs = calls(conductor, "recvfrom", "client-udp")
    timed_out = [e for e in recvs if e.kind == ev.RAISE]
    assert len(timed_out) == 3 and all(e.error.startswith("TimeoutError") for e in timed_out)
    # Each timeout is 0.5 s after the sendto before it.
    sends = calls(conductor, "sendto", "client-udp")
    for recv in timed_out:
        before = max(s.vtime for s in sends if s.step < recv.step)
        assert recv.vtime - before == pytest.approx(0.5)
    # The link lost one request and two answers; what it lost never arrived later.
    requests, answers = link_events(conductor, "client-udp"), link_events(conductor, "server-udp")
    assert len(requests) == len(sends) == 7
    assert sum(not e.extra["arrivals"] for e in requests) == 1
    assert sum(not e.extra["arrivals"] for e in answers) == 2


def test_the_questions_agree_with_the_run() -> None:
    conductor = run_lesson("timeouts")
    tcp_q, udp_q = asked(conductor)
    assert "TimeoutError" in tcp_q.choice(tcp_q.answer)
    assert calls(conductor, "recv", "client-tcp")[0].error.startswith("TimeoutError")
    assert "loop sends again" in udp_q.choice(udp_q.answer)
    # Nothing but the client's sendto calls carries a request: the server reads exactly the
    # requests the link delivered, never one more.
    delivered = sum(bool(e.extra["arrivals"]) for e in link_events(conductor, "client-udp"))
    read = [e for e in calls(conductor, "recvfrom", "server-udp") if e.kind == ev.RETURN]
    assert len(read) == delivered == 6

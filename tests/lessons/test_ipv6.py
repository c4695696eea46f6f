"""ipv6: an AF_INET6 echo over ::1 whose addresses are 4-tuples; the client's socket comes from
getaddrinfo; a connect to 127.0.0.1 on the same port is refused (IPv4 is separate)."""

from __future__ import annotations

import pytest

from tests.lessons.course_runs import asked, calls, printed, run_lesson

pytestmark = pytest.mark.timeout(60)


def test_an_echo_over_ipv6_loopback_with_four_tuple_addresses() -> None:
    conductor = run_lesson("ipv6")
    assert conductor.outcome.kind == "completed"
    [listener] = calls(conductor, "socket", "server")
    assert listener.sock.family == "AF_INET6"
    [accept] = calls(conductor, "accept", "server")
    host, _, flowinfo, scope_id = accept.result[1]
    assert (host, flowinfo, scope_id) == ("::1", 0, 0)
    [connect] = calls(conductor, "connect", "client")
    assert connect.sock.family == "AF_INET6" and connect.args[0][0] == "::1"
    assert len(connect.args[0]) == 4 and connect.error is None
    [recv] = calls(conductor, "recv", "client")
    assert recv.data == b"hello over IPv6"
    lines = printed(conductor, "client")
    assert lines[1].startswith("AF_INET6 ('::1', ") and lines[1].endswith(", 0, 0)")
    assert lines[-1] == "echo: b'hello over IPv6'"


def test_the_questions_agree_with_the_run() -> None:
    conductor = run_lesson("ipv6")
    accept_q, refused_q = asked(conductor)
    [accept] = calls(conductor, "accept", "server")
    assert "0, 0" in accept_q.choice(accept_q.answer) and len(accept.result[1]) == 4
    [connect_ex] = calls(conductor, "connect_ex", "client")
    assert connect_ex.sock.family == "AF_INET" and connect_ex.args[0][0] == "127.0.0.1"
    assert refused_q.choice(refused_q.answer).startswith("111") and connect_ex.result == 111

"""refused: connect() to a port nobody listens on raises ECONNREFUSED; connect_ex() returns 111
there and 0 where a server listens."""

from __future__ import annotations

import errno

import pytest

from netlab.core import events as ev
from tests.lessons.course_runs import asked, calls, printed, run_lesson

pytestmark = pytest.mark.timeout(60)


def test_connect_raises_and_connect_ex_returns_the_errno() -> None:
    conductor = run_lesson("refused")
    (connect,) = calls(conductor, "connect", "client")
    assert connect.kind == ev.RAISE and connect.errno == "ECONNREFUSED"
    assert connect.error.startswith("ConnectionRefusedError")
    refused, accepted = calls(conductor, "connect_ex", "client")
    assert refused.args == connect.args and refused.result == errno.ECONNREFUSED == 111
    assert accepted.result == 0 and accepted.args != connect.args
    assert "connect_ex returned 111 ECONNREFUSED" in printed(conductor, "client")

    on_connect, on_connect_ex = asked(conductor)
    assert "raises ConnectionRefusedError" in on_connect.choice(on_connect.answer)
    assert "returns 111" in on_connect_ex.choice(on_connect_ex.answer)

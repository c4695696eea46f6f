"""ports: bind to port 0 gets a port the kernel chose from the ephemeral range, and so does a
client's connect(); the server prints the range from /proc."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lessons.course_runs import asked, calls, printed, run_lesson

pytestmark = pytest.mark.timeout(60)


def ephemeral_range() -> tuple[int, int]:
    low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    return int(low), int(high)


def test_port_0_and_connect_get_ephemeral_ports_and_the_questions_say_so() -> None:
    conductor = run_lesson("ports")
    low, high = ephemeral_range()
    assert f"ephemeral ports on this machine: {low} to {high}" in printed(conductor, "server")

    bind_zero, bind_server = calls(conductor, "bind", "server")
    assert bind_zero.args[0][1] == 0 and bind_zero.errno is None
    chosen = calls(conductor, "getsockname", "server")[0].result
    assert chosen[1] != 0 and low <= chosen[1] <= high
    server_port = bind_server.args[0][1]

    client_name = calls(conductor, "getsockname", "client")[0].result
    (accepted,) = calls(conductor, "accept", "server")
    assert client_name == accepted.result[1], "the server sees the client's ephemeral port"
    assert client_name[1] != server_port and low <= client_name[1] <= high
    assert not calls(conductor, "bind", "client"), "the client never binds"

    first, second = asked(conductor)
    assert "port 0" in first.text and "kernel chose" in first.choice(first.answer)
    assert "never called bind" in second.text and "connect()" in second.choice(second.answer)

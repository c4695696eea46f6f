"""The traces of the built-in scenarios and the test labs are those kept in tests/golden/:
a change to the conductor, the shim or the link must not change what a lab does."""

from __future__ import annotations

import pytest

from netlab.core import events as ev
from netlab.core.events import Event
from tests.golden.traces import CASES, golden_path, normalise, run_case

pytestmark = pytest.mark.timeout(30)


@pytest.mark.parametrize(("name", "scenario", "options"), CASES, ids=[c[0] for c in CASES])
def test_the_trace_is_the_one_kept(name: str, scenario: str, options: dict[str, object]) -> None:
    expected = golden_path(name).read_text().splitlines()
    actual = normalise(run_case(scenario, options))
    for number, (want, got) in enumerate(zip(expected, actual, strict=False), 1):
        assert got == want, f"{name}: event {number} differs"
    assert len(actual) == len(expected), f"{name}: {len(actual)} events, {len(expected)} kept"


def test_the_pid_of_a_port_holder_is_named_not_given() -> None:
    def refused(pid: int) -> Event:
        holder = {"held_by": [f"python (pid {pid}), LISTEN"]}
        return Event(1, ev.RAISE, "server", op="bind", errno="EADDRINUSE", extra=holder)

    assert normalise([refused(101)]) == normalise([refused(202)])
    assert "(pid PID)" in normalise([refused(101)])[0]

"""The traces of the built-in scenarios and the test labs are those kept in tests/golden/:
a change to the conductor, the shim or the link must not change what a lab does."""

from __future__ import annotations

import pytest

from tests.golden.traces import CASES, golden_path, normalise, run_case

pytestmark = pytest.mark.timeout(30)


@pytest.mark.parametrize(("name", "scenario", "options"), CASES, ids=[c[0] for c in CASES])
def test_the_trace_is_the_one_kept(name: str, scenario: str, options: dict[str, object]) -> None:
    expected = golden_path(name).read_text().splitlines()
    actual = normalise(run_case(scenario, options))
    for number, (want, got) in enumerate(zip(expected, actual, strict=False), 1):
        assert got == want, f"{name}: event {number} differs"
    assert len(actual) == len(expected), f"{name}: {len(actual)} events, {len(expected)} kept"

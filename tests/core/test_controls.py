"""Controls from any thread: queued, then taken by the conductor's thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from netlab.core.controls import PLAY, RUN, STEP, Controls, StopRequested


@pytest.fixture
def controls() -> Iterator[Controls]:
    made = Controls(STEP, 0.5)
    yield made
    made.close()


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="mode must be one of step, play, run"):
        Controls("fast", 0.0)


def test_grants_are_counted_and_taken_one_by_one(controls: Controls) -> None:
    controls.step()
    controls.step()
    assert controls.pending()
    assert controls.wait(0) is True
    assert controls.pacing.grants == 2
    assert controls.await_grant() >= 0
    assert controls.pacing.grants == 1


def test_mode_and_pace_change_when_taken(controls: Controls) -> None:
    controls.set_mode(PLAY)
    controls.set_pace(-1)
    assert controls.pacing.mode == STEP
    controls.take()
    assert (controls.pacing.mode, controls.pacing.pace) == (PLAY, 0.0)


def test_run_mode_cannot_be_switched_and_grants_nothing_to_wait_for() -> None:
    controls = Controls(RUN, 0.0)
    try:
        with pytest.raises(ValueError, match="only step and play"):
            controls.set_mode(STEP)
        with pytest.raises(ValueError, match="only step and play"):
            Controls(STEP, 0.0).set_mode(RUN)
        assert controls.await_grant() == 0.0
    finally:
        controls.close()


def test_stop_is_raised_where_the_conductor_takes_its_commands(controls: Controls) -> None:
    controls.stop()
    with pytest.raises(StopRequested):
        controls.take()


def test_a_command_from_another_thread_wakes_a_wait(controls: Controls) -> None:
    thread = threading.Thread(target=controls.step)
    thread.start()
    assert controls.wait(5.0) is True
    thread.join()
    assert controls.pacing.grants == 1


@pytest.mark.timeout(5)
def test_playing_at_full_speed_goes_on_without_a_grant() -> None:
    controls = Controls(PLAY, 0.0)
    try:
        assert controls.wait(0.0) is False
        controls.await_grant()  # returns: it would wait for ever in step mode
        assert controls.pacing.grants == 0
    finally:
        controls.close()

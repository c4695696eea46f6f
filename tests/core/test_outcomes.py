"""How a lab ends, in words: each branch of the messages, written by hand."""

from __future__ import annotations

import pytest

from netlab.core.outcomes import (
    BUSY,
    TIMEOUT,
    LabEnded,
    Outcome,
    process_ended,
    still_at_work,
    time_is_up,
    time_is_up_between,
)


def test_an_actor_silent_past_its_stall_limit_is_named_with_its_last_call() -> None:
    outcome = time_is_up("server", "accept", 3.0, 10.0, 3.0)
    assert outcome == Outcome(
        TIMEOUT, "server has made no socket call for 3 s since accept() returned (an endless loop?)"
    )
    assert time_is_up("server", "", 4.0, 10.0, 3.0).message == (
        "server has made no socket call for 3 s since it started (an endless loop?)"
    )


def test_an_actor_still_making_calls_at_the_time_limit_is_busy_not_stuck() -> None:
    assert BUSY == 0.25
    assert time_is_up("client", "recv", 0.1, 10.0, None).message == (
        "time limit of 10 s reached while client was still making calls (the last: recv()); "
        "a longer --timeout may help"
    )
    assert time_is_up("client", "", 0.1, 2.5, None).message == (
        "time limit of 2.5 s reached while client was still making calls; "
        "a longer --timeout may help"
    )
    # Heard from exactly BUSY seconds ago: no longer busy.
    assert "no socket call" in time_is_up("client", "recv", BUSY, 10.0, None).message


def test_an_actor_silent_at_the_time_limit_may_be_in_an_endless_loop() -> None:
    assert time_is_up("client", "send", 5.0, 10.0, None).message == (
        "time limit of 10 s reached: client has made no socket call since send() returned "
        "(an endless loop?)"
    )
    assert time_is_up("client", "send", 5.0, 10.0, 6.0).message.startswith("time limit of 10 s")


def test_work_outside_the_calls_at_the_time_limit_is_named() -> None:
    outcome = still_at_work([("server", "thread worker"), ("client", "2 child processes")], 1.0)
    assert outcome == Outcome(
        TIMEOUT,
        "time limit of 1 s reached while every actor waited and work outside the traced calls "
        "went on: server (thread worker); client (2 child processes)",
    )


def test_the_time_limit_between_steps_says_what_each_actor_was_doing() -> None:
    outcome = time_is_up_between(["server blocked in recv()", "client gave way"], 10.0)
    assert outcome == Outcome(
        TIMEOUT,
        "time limit of 10 s reached with the lab still going (server blocked in recv(); "
        "client gave way); a longer --timeout may help",
    )


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (-9, "was killed by signal SIGKILL"),
        (-15, "was killed by signal SIGTERM"),
        (0, "exited with code 0"),
        (3, "exited with code 3"),
        (None, "closed its channel (it has not exited yet)"),
    ],
)
def test_how_a_process_ended(code: int | None, words: str) -> None:
    assert process_ended(code) == words


def test_a_lab_ended_carries_its_outcome() -> None:
    outcome = Outcome(TIMEOUT, "why")
    ended = LabEnded(outcome)
    assert ended.outcome is outcome and str(ended) == "why"

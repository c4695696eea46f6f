"""How a lab ends: its outcome, and the words that say why."""

from __future__ import annotations

import signal
from dataclasses import dataclass

# How a run ended: the ``result`` of the END event.
COMPLETED, CRASHED, DEADLOCK, TIMEOUT, STOPPED = (
    "completed",
    "crashed",
    "deadlock",
    "timeout",
    "stopped",
)
# An actor heard from more recently than this when the time limit comes is busy, not stuck.
BUSY = 0.25


@dataclass(frozen=True)
class Outcome:
    """How a run ended."""

    kind: str  # COMPLETED, CRASHED, DEADLOCK, TIMEOUT, STOPPED
    message: str


class LabEnded(Exception):
    """Raised inside the conductor's loop to end the run with an outcome."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


def time_is_up(
    actor: str, last_op: str, silent_for: float, time_limit: float, stall_limit: float | None
) -> Outcome:
    """The run's time limit (or an actor's stall limit) came while waiting for ``actor``, last
    heard from ``silent_for`` seconds ago."""
    since = f"since {last_op}() returned" if last_op else "since it started"
    if stall_limit is not None and silent_for >= stall_limit:
        text = f"{actor} has made no socket call for {stall_limit:g} s {since} (an endless loop?)"
    elif silent_for < BUSY:
        last = f" (the last: {last_op}())" if last_op else ""
        text = (
            f"time limit of {time_limit:g} s reached while {actor} was still making calls"
            f"{last}; a longer --timeout may help"
        )
    else:
        text = (
            f"time limit of {time_limit:g} s reached: {actor} has made no socket call {since} "
            "(an endless loop?)"
        )
    return Outcome(TIMEOUT, text)


def process_ended(code: int | None) -> str:
    """How an actor's process ended, from its exit code (negative: a signal)."""
    if code is None:
        return "closed its channel (it has not exited yet)"
    if code < 0:
        return f"was killed by signal {signal.Signals(-code).name}"
    return f"exited with code {code}"


def still_at_work(working: list[tuple[str, str]], time_limit: float) -> Outcome:
    """The time limit came while every actor waited in a call, and some were still at work
    outside them (``working``: each actor and what it was doing)."""
    doing = "; ".join(f"{actor} ({what})" for actor, what in working)
    return Outcome(
        TIMEOUT,
        f"time limit of {time_limit:g} s reached while every actor waited and work outside "
        f"the traced calls went on: {doing}",
    )


def time_is_up_between(doing: list[str], time_limit: float) -> Outcome:
    """The time limit came while the conductor asked the actors how they were (not while one of
    them ran its own code): the lab was still going, each actor ``doing`` what it says."""
    return Outcome(
        TIMEOUT,
        f"time limit of {time_limit:g} s reached with the lab still going ({'; '.join(doing)}); "
        "a longer --timeout may help",
    )

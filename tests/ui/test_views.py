"""The pure views the lab's tabs draw from: the ladder's rungs and the explanations."""

from __future__ import annotations

from netlab.core import events as ev
from netlab.core.explain import explain
from netlab.core.ladder import ARROW, rungs
from netlab.core.recording import read_recording
from tests.ui.conftest import recording


def test_a_compound_call_makes_one_rung() -> None:
    # create_connection() holds a connect(): one SYN, not two.
    events = read_recording(recording("deadlock")).events
    syns = [r for r in rungs(events) if r.kind == ARROW and r.label == "SYN"]
    assert len(syns) == 1


def test_the_deadlock_is_explained_actor_by_actor() -> None:
    events = read_recording(recording("deadlock")).events
    end = next(e for e in events if e.kind == ev.END)
    text = explain(end)
    assert "deadlock" in text
    assert "  server is blocked in recv()" in text and "  client is blocked in recv()" in text

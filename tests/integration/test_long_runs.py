"""A long lab run headless (``netlab run``): its events go to a file as they are made and are
read back for the report, so its memory does not grow with its steps; what it prints is what
the events held in memory would print."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from netlab import headless
from netlab.core.analysis import analyse
from netlab.core.conductor import Conductor
from netlab.core.recording import read_recording
from netlab.headless import report_lines, run_headless, trace_line

pytestmark = pytest.mark.timeout(60)
MANY_STEPS = str(Path(__file__).parent.parent.parent / "bench" / "many_steps.py")


def run(lab: str, **options: Any) -> str:
    out = io.StringIO()
    settings: dict[str, Any] = {"seed": None, "link": None, "as_json": False, "record": None}
    code = run_headless(lab, **{**settings, **options}, time_limit=30.0, args={}, out=out)
    assert code == 0
    return out.getvalue()


def test_the_events_of_a_headless_run_are_not_kept_in_memory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    made: list[Conductor] = []

    class Watched(Conductor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(headless, "Conductor", Watched)
    monkeypatch.setattr(headless.tempfile, "tempdir", str(tmp_path))
    out = io.StringIO()
    code = run_headless(
        MANY_STEPS,
        seed=None,
        link=None,
        as_json=False,
        record=None,
        time_limit=30.0,
        args={"steps": 3000},
        out=out,
    )
    assert code == 0
    (conductor,) = made
    assert conductor.log.count > 6000  # every step a call and its outcome
    assert conductor.log.events == []
    with pytest.raises(RuntimeError, match="keeps no events"):
        conductor.events  # noqa: B018
    assert "1500 read of 1500 sent" in out.getvalue()
    assert list(tmp_path.iterdir()) == []  # the temporary file is gone


@pytest.mark.parametrize(
    ("lab", "options"),
    [("tcp-vs-udp", {"seed": 7, "link": "mobile-3g"}), ("udp-kernel-drops", {})],
)
def test_what_is_printed_is_what_the_events_in_memory_print(
    tmp_path: Path, lab: str, options: dict[str, Any]
) -> None:
    """The trace, and the report computed from the events read back, are those of the same
    events held in a list (the recording of the run, read whole)."""
    path = tmp_path / "lab.jsonl"
    printed = run(lab, record=path, **options)
    recording = read_recording(path)
    events = recording.events
    width = max(len(name) for name in {e.actor for e in events})
    head = printed.splitlines()[:2]
    lines = [line for e in events if (line := trace_line(e, width)) is not None]
    report = ["", *report_lines(analyse(events))]
    assert printed == "\n".join([*head, *lines, *report]) + "\n"


def test_the_json_document_holds_every_event_as_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "lab.jsonl"
    document = json.loads(run("tcp-vs-udp", seed=3, link="mobile-3g", as_json=True, record=path))
    events = read_recording(path).events
    assert document["events"] == json.loads(json.dumps([e.to_json() for e in events]))
    assert document["analysis"] == json.loads(json.dumps(analyse(events).to_json()))
    assert document["analysis"]["flows"]

"""netlab export: a picture per step, a tutorial that links them, the event log and a cast."""

from __future__ import annotations

import re
from pathlib import Path

import pyte
import pytest

from netlab.core import events as ev
from netlab.core.recording import RecordingError, read_recording
from netlab.export.asciicast import read_cast
from netlab.export.exporter import export, parse_size
from tests.ui.conftest import recording

pytestmark = pytest.mark.timeout(90)


def steps_of(events: list[ev.Event]) -> list[ev.Event]:
    return [e for e in events if e.kind in ev.OUTCOMES and not e.extra.get("compound")]


def final_screen(cast: Path) -> str:
    header, events = read_cast(cast)
    screen = pyte.Screen(header["width"], header["height"])
    stream = pyte.Stream(screen)
    for _, code, text in events:
        if code == "o":
            stream.feed(text)
    return "\n".join(screen.display)


def test_export_of_a_scenario_writes_everything(tmp_path: Path) -> None:
    result = export("tcp-echo", tmp_path / "out", size=(80, 24))
    events = read_recording(result.events).events
    steps = steps_of(events)
    pictures = sorted((tmp_path / "out").glob("step-*.svg"))
    assert len(pictures) == len(steps) > 20  # one picture per step
    assert all(p.read_text().startswith("<svg") for p in pictures[:3])
    text = result.tutorial.read_text()
    linked = re.findall(r"\]\((step-\d+\.svg)\)", text)
    assert linked and all((tmp_path / "out" / name).exists() for name in linked)
    assert text.count("\n## Step ") == len(steps)
    assert "A listening socket: bind it to an address" in text  # the scenario's comments
    # The cast: valid, a chapter per step, and its last frame is the lab, not a blank screen.
    header, cast_events = read_cast(result.cast)
    assert (header["width"], header["height"]) == (80, 24)
    assert set(header["env"]) == {"TERM", "SHELL"}
    markers = [e[2] for e in cast_events if e[1] == "m"]
    assert len(markers) == len(steps)
    assert markers[0] == "step 1: server socket(AF_INET, SOCK_STREAM)"
    assert "completed: every actor finished" in final_screen(result.cast)


def test_export_of_a_recording_and_another_size(tmp_path: Path) -> None:
    result = export(str(recording("refused")), tmp_path, size=(100, 30), cast=False)
    assert result.cast is None
    svg = (tmp_path / "step-002.svg").read_text()
    assert "ECONNREFUSED" in svg.replace("&#160;", " ")
    assert read_recording(tmp_path / "events.jsonl").events


def test_a_damaged_recording_is_refused_before_anything_is_made(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.jsonl"
    lines = recording("tcp_echo").read_text().splitlines()
    damaged.write_text("\n".join([*lines[:10], '{"seq": 10, "kind": "retur', *lines[11:]]) + "\n")
    with pytest.raises(RecordingError, match="line 11"):
        export(str(damaged), tmp_path / "out")
    assert not list((tmp_path / "out").glob("*.svg"))


@pytest.mark.parametrize(("text", "expected"), [("80x24", (80, 24)), ("120X40", (120, 40))])
def test_sizes(text: str, expected: tuple[int, int]) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["80", "x24", "10x5", "80x24x1", "wide"])
def test_bad_sizes(text: str) -> None:
    with pytest.raises(ValueError, match="size"):
        parse_size(text)

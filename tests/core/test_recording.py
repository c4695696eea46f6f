"""Recordings: written as they go, read back whole, and refused by line number when not netlab's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netlab.core import events as ev
from netlab.core.events import Event
from netlab.core.recording import (
    FORMAT_VERSION,
    RecordingError,
    RecordingWriter,
    make_header,
    read_recording,
)


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_recording_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    log = [Event(1, ev.ACTOR_START, "a", result=1), Event(2, ev.END, result="completed")]
    with RecordingWriter(path, make_header(scenario="x", seed=1)) as writer:
        for event in log:
            writer.write(event)
    recording = read_recording(path)
    assert recording.complete and [e.to_json() for e in recording.events] == [
        e.to_json() for e in log
    ]
    assert recording.header["seed"] == 1


def test_a_recording_cut_short_names_its_last_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    header = json.dumps(make_header())
    path.write_text(header + '\n{"seq": 1, "kind": "actor-start", "actor": "a"}\n{"seq": 2, "ki')
    with pytest.raises(RecordingError, match=r"line 3: not valid JSON"):
        read_recording(path)


def test_a_missing_recording(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="cannot be read"):
        read_recording(tmp_path / "nope.jsonl")


def test_a_recording_without_its_end_is_read_but_not_complete(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    with RecordingWriter(path, make_header(seed=3)) as writer:
        writer.write(Event(1, ev.ACTOR_START, "a", result=1))
    recording = read_recording(path)
    assert not recording.complete and len(recording.events) == 1
    header_only = write_lines(tmp_path / "h.jsonl", [json.dumps(make_header())])
    assert read_recording(header_only).events == []


def test_a_recording_keeps_hostile_text_exactly(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    text = "\x1b]0;owned\x07 \udcff [/bold] Привіт"
    with RecordingWriter(path, make_header()) as writer:
        writer.write(Event(1, ev.OUTPUT, "a", op="stdout", text=text))
    assert read_recording(path).events[0].text == text


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({"version": 2, "width": 80, "height": 24}, "line 1: not a netlab recording"),  # a cast
        ({"format": "netlab-recording"}, "line 1: the format version is missing"),
        ({"format": "netlab-recording", "version": True}, "line 1: the format version is missing"),
        (
            {"format": "netlab-recording", "version": FORMAT_VERSION + 1},
            f"made by a newer netlab \\(format version {FORMAT_VERSION + 1}",
        ),
    ],
)
def test_a_recording_with_a_wrong_header_is_refused(tmp_path: Path, header, message) -> None:
    path = write_lines(tmp_path / "r.jsonl", [json.dumps(header)])
    with pytest.raises(RecordingError, match=message):
        read_recording(path)


def test_an_invalid_line_is_named_by_its_number(tmp_path: Path) -> None:
    lines = [
        json.dumps(make_header()),
        '{"seq": 1, "kind": "actor-start", "actor": "a"}',
        "{not json}",
        '{"seq": 3, "kind": "end"}',
    ]
    path = write_lines(tmp_path / "r.jsonl", lines)
    with pytest.raises(RecordingError, match=r"r\.jsonl, line 3: not valid JSON"):
        read_recording(path)


def test_a_recording_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(json.dumps(make_header()).encode() + b'\n{"seq": 1, "text": "\xff"}\n')
    with pytest.raises(RecordingError, match="line 2: not valid UTF-8"):
        read_recording(path)

"""Recordings as files: what is written, and every way a file is refused, by its line number.

The files here are written by hand, line by line, as JSON Lines; the messages expected are the
ones a user reads (DESIGN §2.4).
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import pytest

from netlab.core.events import Event
from netlab.core.link import Link
from netlab.core.recording import (
    RecordedEvents,
    RecordingError,
    RecordingWriter,
    lab_header,
    make_header,
    read_recording,
)
from netlab.core.scenario import load_scenario

HEADER = '{"format":"netlab-recording","version":2}'
START = '{"seq":1,"kind":"actor-start","actor":"server","result":99}'
END = '{"seq":2,"kind":"end","result":"completed","text":"every actor finished"}'


def write(tmp_path: Path, *lines: str, name: str = "lab.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    """Why the file is refused: read whole, and read line by line (a long lab's events read
    back), in the same words."""
    with pytest.raises(RecordingError) as caught:
        read_recording(path)
    if path.suffix != ".py":  # a scenario is told apart by read_recording alone
        with pytest.raises(RecordingError) as streamed:
            list(RecordedEvents(path))
        assert str(streamed.value) == str(caught.value)
    return str(caught.value)


def test_a_recording_read_line_by_line_is_the_same(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, START, END, "", "")
    events = RecordedEvents(path)
    assert list(events) == read_recording(path).events
    assert list(events) == list(events)  # read again from the start each time


# -- what is read --------------------------------------------------------------------------------


def test_a_recording_read_back(tmp_path: Path) -> None:
    recording = read_recording(write(tmp_path, HEADER, START, END))
    assert recording.header == {"format": "netlab-recording", "version": 2}
    assert [(e.seq, e.kind, e.actor) for e in recording.events] == [
        (1, "actor-start", "server"),
        (2, "end", ""),
    ]
    assert recording.events[0].result == 99
    assert recording.complete is True


def test_a_recording_cut_short_is_read_as_far_as_it_goes(tmp_path: Path) -> None:
    recording = read_recording(write(tmp_path, HEADER, START))
    assert len(recording.events) == 1
    assert recording.complete is False


def test_a_header_alone_is_a_recording_of_nothing(tmp_path: Path) -> None:
    recording = read_recording(write(tmp_path, HEADER))
    assert recording.events == []
    assert recording.complete is False


def test_the_end_must_be_the_last_event(tmp_path: Path) -> None:
    note = '{"seq":3,"kind":"note","text":"after the end"}'
    assert read_recording(write(tmp_path, HEADER, START, END, note)).complete is False


def test_blank_lines_at_the_end_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "lab.jsonl"
    path.write_text(f"{HEADER}\n{START}\n\n  \n\t\n", encoding="utf-8")
    assert len(read_recording(path).events) == 1


def test_a_blank_line_in_the_middle_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, "", START)
    assert refusal(path) == (
        f"{path}, line 2: not valid JSON (the file may be truncated or edited)"
    )


def test_a_version_1_recording_is_read(tmp_path: Path) -> None:
    header = '{"format":"netlab-recording","version":1}'
    assert read_recording(write(tmp_path, header, START)).header["version"] == 1


def test_any_name_but_a_scenario_s(tmp_path: Path) -> None:
    for name in ("lab", "lab.txt", "lab.PY", "lab.py.jsonl"):
        assert len(read_recording(write(tmp_path, HEADER, START, name=name)).events) == 1


def test_text_a_json_reader_keeps_but_utf_8_cannot_hold(tmp_path: Path) -> None:
    # What an actor printed may hold undecodable bytes, kept as lone surrogates and written as
    # \u escapes; orjson refuses them, the standard json module reads them.
    line = '{"seq":1,"kind":"output","actor":"client","text":"caf\\udce9"}'
    (event,) = read_recording(write(tmp_path, HEADER, line)).events
    assert event.text == "caf\udce9"


# -- what is refused -----------------------------------------------------------------------------


def test_a_scenario_is_not_a_recording(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, name="echo.py")
    assert refusal(path) == f"{path}: a scenario, not a recording (netlab open runs it)"


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nothing.jsonl"
    assert refusal(path) == f"{path}: cannot be read (No such file or directory)"


def test_a_folder(tmp_path: Path) -> None:
    assert refusal(tmp_path) == f"{tmp_path}: cannot be read (Is a directory)"


def test_an_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path)
    assert refusal(path) == f"{path}: empty file, not a netlab recording"
    path.write_text("\n \n\n", encoding="utf-8")
    assert refusal(path) == f"{path}: empty file, not a netlab recording"


def test_bytes_that_are_not_utf_8_are_named_by_their_line(tmp_path: Path) -> None:
    path = tmp_path / "lab.jsonl"
    path.write_bytes(
        f"{HEADER}\n{START}\n".encode() + b'{"seq":2,"kind":"note","text":"\xff"}\n\n\n'
    )
    assert refusal(path) == f"{path}, line 3: not valid UTF-8"


def test_a_bad_byte_on_the_first_line(tmp_path: Path) -> None:
    path = tmp_path / "lab.jsonl"
    path.write_bytes(b"\xfe\n\n\n")
    assert refusal(path) == f"{path}, line 1: not valid UTF-8"


def test_a_bad_byte_after_a_blank_first_line(tmp_path: Path) -> None:
    path = tmp_path / "lab.jsonl"
    path.write_bytes(b"\n\xfe\n")
    assert refusal(path) == f"{path}, line 2: not valid UTF-8"


@pytest.mark.parametrize(
    ("first_line", "message"),
    [
        ("{not json", "line 1: not valid JSON (the file may be truncated or edited)"),
        ("[1, 2]", "line 1: expected a JSON object"),
        ('"netlab-recording"', "line 1: expected a JSON object"),
        ('{"version":2}', "line 1: not a netlab recording (no netlab header)"),
        ('{"format":"other","version":2}', "line 1: not a netlab recording (no netlab header)"),
        ('{"format":"netlab-recording"}', "line 1: the format version is missing"),
        ('{"format":"netlab-recording","version":"2"}', "line 1: the format version is missing"),
        ('{"format":"netlab-recording","version":true}', "line 1: the format version is missing"),
        ('{"format":"netlab-recording","version":2.0}', "line 1: the format version is missing"),
    ],
)
def test_a_bad_header(tmp_path: Path, first_line: str, message: str) -> None:
    path = write(tmp_path, first_line, START)
    assert refusal(path) == f"{path}, {message}"


def test_a_recording_from_a_newer_netlab(tmp_path: Path) -> None:
    path = write(tmp_path, '{"format":"netlab-recording","version":3}', START)
    assert refusal(path) == (
        f"{path}: made by a newer netlab (format version 3; this netlab reads up to 2): "
        "upgrade netlab to open it"
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"seq":1,"kind":"teleport"}', "unknown event kind 'teleport'"),
        ('{"seq":1}', "'kind'"),
        ('{"seq":"1","kind":"note"}', "seq, step and data_len must be integers"),
    ],
)
def test_a_bad_event_is_named_by_its_line(tmp_path: Path, line: str, reason: str) -> None:
    path = write(tmp_path, HEADER, START, line.replace('"seq":1', '"seq":2'))
    assert refusal(path) == f"{path}, line 3: not a valid event ({reason})"


def test_an_event_line_that_is_not_an_object(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, START, "[2]")
    assert refusal(path) == f"{path}, line 3: expected a JSON object"


def test_events_must_be_numbered_from_one_without_a_gap(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER, END.replace('"seq":2', '"seq":1'), START)
    assert refusal(path) == f"{path}, line 3: event number 1, expected 2"
    path = write(tmp_path, HEADER, START, START.replace('"seq":1', '"seq":3'))
    assert refusal(path) == f"{path}, line 3: event number 3, expected 2"
    path = write(tmp_path, HEADER, END)
    assert refusal(path) == f"{path}, line 2: event number 2, expected 1"


def padded(length: int) -> str:
    """A header line of exactly ``length`` characters."""
    line = '{"format":"netlab-recording","version":2,"pad":""}'
    return line[:-2] + "x" * (length - len(line)) + '"}'


def test_the_longest_line_netlab_reads(tmp_path: Path) -> None:
    line = padded(1 << 20)
    assert len(line) == 1_048_576
    assert len(read_recording(write(tmp_path, line, START)).header["pad"]) > 1_000_000


def test_a_line_longer_than_netlab_writes(tmp_path: Path) -> None:
    path = write(tmp_path, padded(1_048_577), START)
    assert refusal(path) == (
        f"{path}, line 1: 1,048,577 characters, longer than any line netlab writes (the file "
        "was edited or is not netlab's)"
    )
    path = write(tmp_path, HEADER, START, padded(2_000_000))
    assert refusal(path).startswith(f"{path}, line 3: 2,000,000 characters, longer than")


# -- what is written -----------------------------------------------------------------------------


def test_the_header_names_the_format_and_netlab(tmp_path: Path) -> None:
    assert make_header(scenario="tcp-echo", seed=7) == {
        "format": "netlab-recording",
        "version": 2,
        "netlab": version("netlab-sockets"),
        "scenario": "tcp-echo",
        "seed": 7,
    }


def test_a_recording_is_written_one_compact_line_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "lab.jsonl"
    with RecordingWriter(path, {"format": "netlab-recording", "version": 2, "a": [1, 2]}) as w:
        assert w.path == path
        assert path.read_text(encoding="utf-8") == (
            '{"format":"netlab-recording","version":2,"a":[1,2]}\n'
        )
        w.write(Event(seq=1, kind="output", actor="client", text="caf\udce9 \u00e9"))
        assert path.read_text(encoding="utf-8").splitlines()[1] == (
            '{"seq":1,"kind":"output","actor":"client","vtime":0.0,"wtime":0.0,'
            '"text":"caf\\udce9 \\u00e9"}'
        )
    assert read_recording(path).events[0].text == "caf\udce9 \u00e9"


SCENARIO = '''"""A lab for the header."""
from netlab import Scenario

lab = Scenario("Header lab", seed=1)


@lab.actor("server")
def server(ctx):
    pass
'''


def test_a_lab_s_header_carries_its_source(tmp_path: Path) -> None:
    path = tmp_path / "header_lab.py"
    path.write_text(SCENARIO, encoding="utf-8")
    loaded = load_scenario(path)
    header = lab_header(loaded, seed=7, link=Link(loss=0.5, name="half"), size=[80, 24])
    assert header["format"] == "netlab-recording"
    assert header["scenario"] == "header_lab"
    assert header["title"] == "Header lab"
    assert header["file"] == "header_lab.py"
    assert header["source"] == SCENARIO
    assert header["seed"] == 7
    assert header["link"]["name"] == "half"
    assert header["link"]["loss"] == 0.5
    assert header["size"] == [80, 24]
    assert json.loads(json.dumps(header)) == header


def test_a_lab_whose_file_is_gone_has_no_source(tmp_path: Path) -> None:
    path = tmp_path / "header_lab.py"
    path.write_text(SCENARIO, encoding="utf-8")
    loaded = load_scenario(path)
    path.unlink()
    header = lab_header(loaded, seed=1, link=Link())
    assert header["source"] == ""
    assert header["file"] == "header_lab.py"

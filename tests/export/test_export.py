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
from netlab.export.markdown import tutorial
from tests.outputs import control_characters, svg_lines
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
    assert len(pictures) == len(steps) > 20  # one picture per step, named after it
    assert [picture.name for picture in pictures] == [f"step-{e.step:03d}.svg" for e in steps]
    for number, picture in enumerate(pictures, 1):  # each parsed as XML: the lab at its step
        header = svg_lines(picture)[0]
        assert header.startswith("tcp-echo") and f"  step {number}  " in header, picture.name
    text = result.tutorial.read_text()
    assert control_characters(text) == []
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
    shown = svg_lines(tmp_path / "step-002.svg")
    assert max(len(line.rstrip("\n")) for line in shown) == 100  # 100 columns wide
    assert shown[0].startswith("refused") and "  step 2  " in shown[0]
    assert any("ECONNREFUSED" in line for line in shown)
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


HOSTILE = "\x1b]0;owned\x07 \x9b2J \u202eevil\u202c \x00 [/bold]"


def test_a_tutorial_shows_hostile_text_only_made_visible() -> None:
    """A recording may say anything: every free text in it (the title, the scenario's source
    and its comments, what actors printed and said, errors) carries escapes and controls. The
    Markdown has none of them, only their visible forms."""
    recorded = read_recording(recording("tcp_echo"))
    header = dict(recorded.header)
    header["title"] = HOSTILE
    header["source"] = (
        header["source"]
        .replace("# A listening socket", f"# {HOSTILE} A listening socket")
        .replace('"""TCP echo', f'"""{HOSTILE}\nTCP echo')
    )
    events = [
        e._replace(text=HOSTILE) if e.kind in (ev.OUTPUT, ev.NOTE) else e for e in recorded.events
    ]
    events.append(events[-1]._replace(seq=len(events) + 1, kind=ev.END, text=HOSTILE))
    text = tutorial(header, events, explain=lambda event: HOSTILE)
    assert control_characters(text) == []
    assert text.count("\\x1b]0;owned\\x07 \\x9b2J \\u202eevil\\u202c \\x00 [/bold]") > 10
    assert text.startswith("# \\x1b]0;owned")


def test_a_tutorial_shows_a_lessons_question_its_choices_and_answer() -> None:
    recorded = read_recording(recording("udp_echo"))
    text = tutorial(dict(recorded.header), recorded.events, explain=lambda event: "")
    asked = text[text.index("- client-1 asks:") :].splitlines()[:5]
    assert asked == [
        "- client-1 asks: The server answers with one sendto. What does recvfrom(1024) return?",
        "  - a) the whole reply and the server's address",
        "  - b) part of the reply",
        "  - c) b''",
        "  - answer: a) the whole reply and the server's address. A datagram arrives whole or "
        "not at all, and recvfrom says who sent it.",
    ]


def test_a_hostile_question_in_a_tutorial_is_only_made_visible() -> None:
    recorded = read_recording(recording("udp_echo"))
    events = [
        e._replace(
            text=HOSTILE,
            extra={**e.extra, "why": HOSTILE, "choices": [["a", HOSTILE], ["b", "x"]]},
        )
        if e.op == "ask"
        else e
        for e in recorded.events
    ]
    text = tutorial(dict(recorded.header), events, explain=lambda event: "")
    assert control_characters(text) == []
    assert text.count("\\x1b]0;owned") >= 3

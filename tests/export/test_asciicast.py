"""asciicast v2 writing, checking, and recording a program through a real pseudo-terminal."""

from __future__ import annotations

import json
import select
import sys
import time
from pathlib import Path

import psutil
import pyte
import pytest

from netlab.export.asciicast import LEAVE_ALT_SCREEN, CastError, CastWriter, read_cast
from netlab.export.pty_record import record

pytestmark = pytest.mark.timeout(20)


def test_a_cast_has_a_v2_header_with_only_term_and_shell(tmp_path: Path) -> None:
    path = tmp_path / "a.cast"
    with CastWriter(path, 80, 24, "demo") as cast:
        cast.output(0.0, "hello")
        cast.marker(0.5, "step 1: socket()")
    header, events = read_cast(path)
    assert header["version"] == 2 and (header["width"], header["height"]) == (80, 24)
    assert set(header["env"]) == {"TERM", "SHELL"}
    assert events == [[0.0, "o", "hello"], [0.5, "m", "step 1: socket()"]]


def test_what_follows_leaving_the_alternate_screen_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "a.cast"
    with CastWriter(path, 80, 24, "demo") as cast:
        cast.output(0.0, "\x1b[?1049hthe lab")
        cast.output(1.0, f"last frame{LEAVE_ALT_SCREEN}$ shell prompt")
        cast.output(2.0, "more shell")
    _, events = read_cast(path)
    assert [e[2] for e in events] == ["\x1b[?1049hthe lab", "last frame"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("not json\n", "line 1: the header is not JSON"),
        ('{"version": 3, "term": {}}\n', "line 1: not an asciicast v2 header"),
        ('{"version": 2, "width": 80, "height": 24}\n[1, "o"]\n', "line 2: expected"),
        ('{"version": 2, "width": 80, "height": 24}\n[2, "o", "a"]\n[1, "o", "b"]\n', "line 3"),
    ],
)
def test_a_bad_cast_is_reported_by_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.cast"
    path.write_text(content)
    with pytest.raises(CastError, match=message):
        read_cast(path)


PROGRAM = r"""
import fcntl, os, sys, termios, time
marker = os.fdopen(int(os.environ["NETLAB_MARKER_FD"]), "w", buffering=1)
sys.stdout.write("\x1b[?1049h\x1b[2J\x1b[HПривіт, pty")
sys.stdout.flush()
marker.write("step 1: hello\n")
size = os.get_terminal_size()
sys.stdout.write(f"\r\nsize {size.columns}x{size.lines}")
sys.stdout.flush()
marker.write("step 2: size\n")
# Leave only once the recorder has read the chapters: it drops what comes after the end
# (see test_a_chapter_written_before_the_end_is_kept_whenever_the_recorder_reads_it).
deadline = time.monotonic() + 10
while fcntl.ioctl(marker.fileno(), termios.FIONREAD, b"\0\0\0\0") != b"\0\0\0\0":
    if time.monotonic() > deadline:
        sys.exit("the recorder did not read the chapters")
    time.sleep(0.001)
sys.stdout.write("\x1b[?1049l")
sys.stdout.flush()
"""


def test_a_program_recorded_in_a_pty_plays_back_to_its_last_real_screen(tmp_path: Path) -> None:
    path = tmp_path / "run.cast"
    with CastWriter(path, 40, 10, "pty") as cast:
        status = record([sys.executable, "-c", PROGRAM], cast, width=40, height=10, show=False)
    assert status == 0
    header, events = read_cast(path)
    assert [e[2] for e in events if e[1] == "m"] == ["step 1: hello", "step 2: size"]
    screen = pyte.Screen(header["width"], header["height"])
    stream = pyte.Stream(screen)
    for _, code, text in events:
        if code == "o":
            stream.feed(text)
    assert screen.display[0].rstrip() == "Привіт, pty"
    assert screen.display[1].rstrip() == "size 40x10"
    json.dumps(events)  # every event is plain JSON


def test_paced_recording_uses_the_chapter_clock(tmp_path: Path) -> None:
    path = tmp_path / "paced.cast"
    with CastWriter(path, 40, 10, "pty") as cast:
        record([sys.executable, "-c", PROGRAM], cast, width=40, height=10, show=False, pace=0.5)
    _, events = read_cast(path)
    assert [e[0] for e in events if e[1] == "m"] == [0.5, 1.0]


LEAVES_AT_ONCE = r"""
import os, sys
marker = os.fdopen(int(os.environ["NETLAB_MARKER_FD"]), "w", buffering=1)
sys.stdout.write("\x1b[?1049hthe lab")
sys.stdout.flush()
marker.write("step 1: the last step\n")
sys.stdout.write(", at its last step\x1b[?1049l")
sys.stdout.flush()
"""


def test_a_chapter_written_before_the_end_is_kept_whenever_the_recorder_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The program writes its first frame, a chapter, then its last frame and leaves. This
    test makes one order of events certain that is otherwise a matter of luck: the recorder's
    first select() returns with the terminal ready (the first frame) before the chapter is
    written, and the program has written the rest and left by the time the recorder reads."""
    real_select = select.select
    calls = 0

    def select_before_the_chapter(readers, writers, errors, *timeout):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls > 1:
            return real_select(readers, writers, errors, *timeout)
        deadline = time.monotonic() + 10
        while any(p.status() != psutil.STATUS_ZOMBIE for p in psutil.Process().children()):
            assert time.monotonic() < deadline, "the recorded program did not end"
            real_select([], [], [], 0.005)
        ready, _, _ = real_select(readers, writers, errors, 0)
        terminal = readers[0]  # the pty: what was ready when the first frame came
        return [terminal] if terminal in ready else ready, [], []

    monkeypatch.setattr(select, "select", select_before_the_chapter)
    path = tmp_path / "run.cast"
    with CastWriter(path, 40, 10, "pty") as cast:
        status = record([sys.executable, "-c", LEAVES_AT_ONCE], cast, width=40, height=10)
    assert status == 0 and calls > 1
    _, events = read_cast(path)
    assert [e[1:] for e in events] == [
        ["m", "step 1: the last step"],
        ["o", "\x1b[?1049hthe lab, at its last step"],
    ]

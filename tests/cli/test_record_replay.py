"""netlab record through a real pseudo-terminal, netlab replay, and untrusted recordings."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyte
import pytest

from netlab.core import events as ev
from netlab.core.conductor import Conductor
from netlab.core.recording import FORMAT_VERSION, RecordingError, read_recording
from netlab.core.reducer import reduce
from netlab.core.scenario import load_scenario
from netlab.export.asciicast import read_cast
from tests.ui.conftest import recording

pytestmark = pytest.mark.timeout(60)


def drive_in_pty(
    argv: list[str], cwd: Path, script: list[tuple[str, bytes]], timeout: float = 40.0
) -> tuple[int, str]:
    """Run ``argv`` in a pty of 80x24, reading its screen as a terminal would (pyte). For each
    ``(shown, key)`` of ``script``, wait until the screen matches the regular expression
    ``shown``, then type ``key``. Fails within ``timeout`` seconds, saying what it waited for,
    if the program hangs or never shows it."""
    import fcntl
    import struct
    import termios

    pid, master = pty.fork()
    if pid == 0:
        os.chdir(cwd)
        os.environ.update({"TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"})
        os.execvp(argv[0], argv)
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    screen = pyte.Screen(80, 24)
    stream = pyte.ByteStream(screen)
    output, pending = b"", list(script)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if pending and re.search(pending[0][0], "\n".join(screen.display)):
                os.write(master, pending.pop(0)[1])
                continue
            remaining = deadline - time.monotonic()
            waited_for = repr(pending[0][0]) if pending else "the end"
            assert remaining > 0, f"waited {timeout} s for {waited_for}; the screen:\n" + (
                "\n".join(screen.display)
            )
            if not select.select([master], [], [], remaining)[0]:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the program has ended
                break
            if not chunk:
                break
            output += chunk
            stream.feed(chunk)
        assert not pending, f"the program ended before the screen showed {pending[0][0]!r}"
        status = _wait_for_exit(pid, deadline)
    except BaseException:
        _kill_with_children(pid)
        raise
    finally:
        os.close(master)
    return status, output.decode("utf-8", "replace")


def _wait_for_exit(pid: int, deadline: float) -> int:
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        assert time.monotonic() < deadline, "the program closed its terminal but did not exit"
        select.select([], [], [], 0.01)


def _kill_with_children(pid: int) -> None:
    try:
        family = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    for process in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def test_record_a_session_in_a_pty(tmp_path: Path) -> None:
    netlab = [sys.executable, "-m", "netlab"]
    # The lab's header says how many steps were taken: each space waits for the last one's.
    script = [("Enter goes on", b"\r")]  # the lesson's text, first
    script += [(rf"tcp-echo .* step {n} ", b" ") for n in range(6)]
    script.append((r"tcp-echo .* step 6 ", b"q"))
    argv = [*netlab, "record", "tcp-echo", "-o", "s.cast"]
    status, _ = drive_in_pty(argv, tmp_path, script)
    assert status == 0
    header, events = read_cast(tmp_path / "s.cast")
    assert header["version"] == 2 and set(header["env"]) == {"TERM", "SHELL"}
    markers = [text for _, code, text in events if code == "m"]
    assert len(markers) == 6 and markers[0] == "step 1: server socket(AF_INET, SOCK_STREAM)"
    times = [t for t, _, _ in events]
    assert times == sorted(times)
    # The event log beside it holds those steps, and the last frame is the lab, not a shell.
    log = read_recording(tmp_path / "s.jsonl")
    assert len([e for e in log.events if e.kind in ev.OUTCOMES]) >= 6
    screen = pyte.Screen(80, 24)
    stream = pyte.Stream(screen)
    for _, code, text in events:
        if code == "o":
            stream.feed(text)
    shown = "\n".join(screen.display)
    assert "tcp-echo" in shown and "server" in shown and "Step" in shown
    assert [p for p in psutil.Process().children(recursive=True) if p.status() != "zombie"] == []


def test_replaying_gives_the_state_of_the_live_run(tmp_path: Path) -> None:
    conductor = Conductor(load_scenario("tcp-vs-udp"))
    conductor.run()
    from netlab.core.recording import RecordingWriter, lab_header

    path = tmp_path / "run.jsonl"
    header = lab_header(conductor.loaded, seed=conductor.seed, link=conductor.link)
    with RecordingWriter(path, header) as writer:
        for event in conductor.events:
            writer.write(event)
    replayed = reduce(read_recording(path).events)
    live = reduce(conductor.events)

    def facts(state):  # everything but wall-clock times, which a recording rounds
        data = dataclasses.asdict(state)
        for actor in data["actors"].values():
            actor.pop("call", None)
        return data

    assert facts(replayed) == facts(live)


def run_netlab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "netlab", *args], capture_output=True, text=True, timeout=30
    )


def damaged(tmp_path: Path, name: str, edit) -> Path:
    lines = recording("tcp_echo").read_text().splitlines()
    path = tmp_path / name
    path.write_text("\n".join(edit(lines)) + "\n")
    return path


@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        ("cut.jsonl", lambda ls: [*ls[:12], ls[12][:25]], "line 13: not valid JSON"),
        ("edited.jsonl", lambda ls: [*ls[:5], "[1, 2]", *ls[6:]], "line 6: expected a JSON object"),
        ("renumbered.jsonl", lambda ls: [ls[0], *ls[2:]], "line 2: event number 2, expected 1"),
        ("kind.jsonl", lambda ls: [*ls[:3], '{"seq": 3, "kind": "evil"}', *ls[4:]], "line 4"),
        ("binary.jsonl", lambda ls: ["\x00\x01\x02"], "line 1"),
        ("empty.jsonl", lambda ls: [], "not a netlab recording"),
        ("huge.jsonl", lambda ls: [*ls[:7], " " * 2_000_000 + ls[7], *ls[8:]], "line 8: 2,0"),
        (
            "newer.jsonl",
            lambda ls: [json.dumps({**json.loads(ls[0]), "version": FORMAT_VERSION + 1}), *ls[1:]],
            "newer netlab",
        ),
    ],
)
def test_a_damaged_recording_is_refused_by_line(tmp_path: Path, name, edit, message) -> None:
    path = damaged(tmp_path, name, edit)
    with pytest.raises(RecordingError, match=message):
        read_recording(path)
    result = run_netlab("replay", str(path))
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.startswith("netlab: ")
    assert "Traceback" not in result.stderr


def test_a_hostile_recording_replays_safely(tmp_path: Path) -> None:
    """Valid JSON with escapes in its free text: read, and shown only through visible()."""
    lines = recording("tcp_echo").read_text().splitlines()
    header = json.loads(lines[0])
    header.update(title="\x1b]0;owned\x07[@click=app.quit]x[/]", file="\x1b[2J.py")
    hostile = [json.dumps(header)]
    for line in lines[1:]:
        event = json.loads(line)
        if event["kind"] in ("output", "note"):
            event["text"] = "\x9b\u202e[/bold]\x00\x1b]0;t\x07"
        hostile.append(json.dumps(event))
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(hostile) + "\n")
    events = read_recording(path).events

    from netlab.headless import trace_line

    shown = [trace_line(event, 12) for event in events]
    assert any(line and "\\x9b\\u202e[/bold]\\x00" in line for line in shown)
    for line in shown:
        assert line is None or not any(c in line for c in "\x1b\x9b\u202e\x00")


def test_names_that_netlab_never_makes_are_refused(tmp_path: Path) -> None:
    path = damaged(
        tmp_path,
        "names.jsonl",
        lambda ls: [ls[0], ls[1].replace('"actor":"server"', '"actor":"srv\\u001b[31m"'), *ls[2:]],
    )
    with pytest.raises(RecordingError, match="line 2: not a valid event"):
        read_recording(path)


def test_a_terminal_that_cannot_show_the_glyphs_gets_ascii(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONIOENCODING", "ascii")
    argv = [sys.executable, "-m", "netlab", "open", "tcp-echo"]
    script = [("Enter goes on", b"\r"), (r"tcp-echo .* step 0 ", b" ")]
    script.append((r"tcp-echo .* step 1 ", b"q"))
    status, output = drive_in_pty(argv, tmp_path, script)
    assert status == 0
    assert output.isascii() and "\\u25" not in output  # no escapes for the box drawing
    screen = pyte.Screen(80, 24)
    pyte.Stream(screen).feed(output.split("\x1b[?1049l")[0])  # the lab, before it left
    top, side = screen.display[1], screen.display[2]  # the first panel's border, in ASCII
    assert top.startswith("+- ") and top.rstrip().endswith("-+") and side.startswith("| ")

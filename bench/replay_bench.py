"""Replaying and exporting, timed. Run on demand: ``python bench/replay_bench.py``.

1. ``netlab replay`` of a 100,000-event recording: time until the app shows its last step
   (reading and checking the file, folding every event, drawing the screen), against the
   time to read the file alone; and the whole command in a terminal (best of three), from
   its start until the lab's end is on the screen.
2. ``netlab export tcp-echo``: every step as SVG, the Markdown tutorial and the cast.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

HERE = Path(__file__).parent


def make_recording(path: Path, steps: int) -> None:
    lab = str(HERE / "many_steps.py")
    subprocess.run(
        [sys.executable, "-m", "netlab", "run", lab, "--arg", f"steps={steps}"]  # noqa: RUF005
        + ["--record", str(path), "--timeout", "300"],
        stdout=subprocess.DEVNULL,
        check=True,
    )


async def replay_to_the_end(path: Path) -> float:
    from netlab.ui.app import NetlabApp

    started = time.perf_counter()
    app = NetlabApp(recording=path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e")  # to the end
        await pilot.pause()
        elapsed = time.perf_counter() - started
        assert app.screen.timeline.latest.outcome is not None
        await pilot.press("q")
    return elapsed


def command_to_the_end(path: Path) -> float:
    """``netlab replay FILE`` as a person runs it, in a terminal: from the command until the
    lab's end is on the screen (End is pressed at once; the terminal keeps it until read)."""
    started = time.perf_counter()
    pid, master = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
        os.execvp(sys.executable, [sys.executable, "-m", "netlab", "replay", str(path)])
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    os.write(master, b"e")
    seen = b""
    while b"every actor finished" not in seen:  # the end's notice
        ready, _, _ = select.select([master], [], [], 20)
        if not ready:
            raise RuntimeError("netlab replay did not show the end in 20 s")
        seen = seen[-200:] + os.read(master, 65536)
    elapsed = time.perf_counter() - started
    os.write(master, b"q")
    with contextlib.suppress(OSError):
        while os.read(master, 65536):
            pass
    os.waitpid(pid, 0)
    os.close(master)
    return elapsed


def main() -> None:
    from netlab.core.recording import read_recording

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.jsonl"
        make_recording(path, 50_000)
        started = time.perf_counter()
        events = len(read_recording(path).events)
        read_only = time.perf_counter() - started
        shown = asyncio.run(replay_to_the_end(path))
        print(f"recording of {events:,} events ({path.stat().st_size / 2**20:.1f} MB)")
        print(f"  read and checked:          {read_only:.2f} s")
        print(f"  replayed to its last step: {shown:.2f} s ({shown / read_only:.1f}x reading)")
        whole = min(command_to_the_end(path) for _ in range(3))
        print(f"  `netlab replay` in a terminal, from the command to the end shown: {whole:.2f} s")
        out = Path(folder) / "export"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "netlab", "export", "tcp-echo", "--to", str(out)],
            check=True,
            capture_output=True,
        )
        exported = time.perf_counter() - started
        pictures = len(list(out.glob("*.svg")))
        print(f"netlab export tcp-echo: {exported:.2f} s ({pictures} SVGs, tutorial, cast)")


if __name__ == "__main__":
    main()

"""The UI under load, and how fast it starts. Run on demand: ``python bench/ui_bench.py``.

1. ``netlab`` in a pseudo-terminal: time to its first screen (and ``--version`` as a baseline).
2. A lab of 50,000 steps played at full speed in the app: how long a key press takes to be
   answered while it plays, and the memory of the process (the app runs in this process).
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import select
import statistics
import struct
import sys
import termios
import time
from pathlib import Path

import psutil

HERE = Path(__file__).parent


def first_screen() -> float:
    started = time.perf_counter()
    pid, master = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", COLUMNS="80", LINES="24")
        os.execvp(sys.executable, [sys.executable, "-m", "netlab"])
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = b""
    while b"udp-kernel-drops" not in seen:  # the last scenario of the list is drawn
        ready, _, _ = select.select([master], [], [], 10)
        if not ready:
            raise RuntimeError("netlab showed no screen in 10 s")
        seen += os.read(master, 65536)
    elapsed = time.perf_counter() - started
    os.write(master, b"q")
    try:
        while os.read(master, 65536):
            pass
    except OSError:
        pass
    os.waitpid(pid, 0)
    os.close(master)
    return elapsed


def version() -> float:
    import subprocess

    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "netlab", "--version"], capture_output=True, check=True)
    return time.perf_counter() - started


async def play(steps: int) -> None:
    from netlab.core import events as ev
    from netlab.ui.app import NetlabApp

    app = NetlabApp(scenario=str(HERE / "many_steps.py"))
    latencies: list[float] = []
    memory = 0
    started = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        answered: list[float] = []
        original = screen.action_tab

        def timed_tab(name: str) -> None:  # when the key's action runs
            answered.append(time.perf_counter())
            original(name)

        screen.action_tab = timed_tab
        for _ in range(6):
            await pilot.press("plus")  # full speed
        await pilot.press("p")
        tab = 0
        while not screen.timeline.latest.outcome and time.perf_counter() - started < 300:
            await asyncio.sleep(0.25)
            tab = (tab + 1) % 3
            before = len(answered)
            pressed = time.perf_counter()
            asyncio.get_running_loop().create_task(pilot.press(str(tab + 1)))
            while len(answered) == before and time.perf_counter() - pressed < 10:
                await asyncio.sleep(0.002)
            latencies.append(answered[-1] - pressed if len(answered) > before else 10.0)
            memory = max(memory, psutil.Process().memory_info().rss)
        taken = len([e for e in screen.timeline.events if e.kind in ev.OUTCOMES])
        elapsed = time.perf_counter() - started
        await pilot.press("q")
    print(
        f"played {taken:,} steps in {elapsed:.1f} s ({taken / elapsed:,.0f} steps/s in play mode)"
    )
    print(
        f"key press answered in: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"worst {max(latencies) * 1000:.0f} ms ({len(latencies)} presses while playing)"
    )
    print(f"memory of the app's process at most: {memory / 2**20:.0f} MB")


def main() -> None:
    print(f"netlab --version: {version() * 1000:.0f} ms (a baseline: Python and click)")
    print(f"netlab first screen: {min(first_screen() for _ in range(3)) * 1000:.0f} ms (best of 3)")
    asyncio.run(play(50_000))


if __name__ == "__main__":
    main()

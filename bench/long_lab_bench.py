"""The lab screen on a long lab: memory and how fast keys are answered, for a lab of STEPS
calls (``many_steps.py``) replayed from its recording and played live at full speed.

    python bench/long_lab_bench.py [--steps N] [--small N] [--repeat N] [--tree PATH ...]
                                   [--recording PATH] [--live]

Each measurement runs the app (``App.run_test``, 120×40) in a process of its own and reports:
its peak resident size; the time to open the lab; the time until its last step is shown (``e``
on a recording; playing at full speed, live); how long a key (a tab's number, pressed every
0.25 s meanwhile) took to be answered, median and worst; and, at the end, how long the
Delivery and States tabs and the keys b, Home and End took.

The baseline, measured in the same run: the same lab with ``--small`` steps (default 10,000).
The runs take turns (small, long; each tree in turn), ``--repeat`` times (default 3), and each
figure is given as the smallest and the median. ``--tree`` runs another checkout (to compare
revisions); ``--live`` adds the lab played live (slow: the lab runs its calls).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
LAB = HERE / "many_steps.py"
TABS = "123456789"


def make_recording(path: Path, steps: int, tree: str | None) -> None:
    env = {**os.environ, **({"PYTHONPATH": tree} if tree else {})}
    command = [sys.executable, "-m", "netlab", "run", str(LAB), "--arg", f"steps={steps}"]
    command += ["--timeout", "36000", "--record", str(path)]
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)


async def measure(kind: str, target: str, steps: int) -> dict[str, float]:
    """In the child: open the lab, go to its end pressing keys, then time the heavy keys."""
    import textual.constants

    textual.constants.TEXTUAL_ANIMATIONS = "none"  # type: ignore[attr-defined]
    from netlab.ui.app import NetlabApp

    started = time.perf_counter()
    if kind == "replay":
        app = NetlabApp(recording=Path(target))
    else:
        app = NetlabApp(scenario=target, args={"steps": steps})
    figures: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        while not hasattr(screen, "timeline"):
            await pilot.pause(0.01)
            screen = app.screen
        figures["open_s"] = time.perf_counter() - started
        figures["peak_open_mb"] = peak_mb()
        answered: list[float] = []
        original = screen.action_tab

        def timed_tab(name: str) -> None:
            answered.append(time.perf_counter())
            original(name)

        screen.action_tab = timed_tab  # type: ignore[method-assign]
        going = time.perf_counter()
        # Keys are sent as a terminal sends them, not awaited: the pilot's press waits for the
        # screen to be idle, which a lab playing at full speed never is.
        if kind == "replay":
            app.simulate_key("e")
        else:
            for _ in range(6):
                await pilot.press("plus")
            await pilot.press("p")
        latencies: list[float] = []
        presses = 0
        while not (screen.timeline.latest.outcome and screen.source.finished):
            if time.perf_counter() - going > 3600:
                raise SystemExit("not at the end in an hour")
            await asyncio.sleep(0.25)
            key = TABS[presses % 3]  # trace, code, strace: the light tabs while it goes
            presses += 1
            before, pressed = len(answered), time.perf_counter()
            app.simulate_key(key)
            while len(answered) == before and time.perf_counter() - pressed < 30:
                await asyncio.sleep(0.002)
            latencies.append(answered[-1] - pressed if len(answered) > before else 30.0)
        await pilot.pause()
        figures["to_end_s"] = time.perf_counter() - going
        figures["key_median_ms"] = statistics.median(latencies or [0]) * 1000
        figures["key_worst_ms"] = max(latencies or [0]) * 1000
        figures["events"] = len(screen.timeline.events)
        figures["peak_end_mb"] = peak_mb()
        for tab, name in (("8", "delivery_s"), ("9", "states_s")):
            pressed = time.perf_counter()
            await pilot.press(tab)
            while screen._heavy_busy:
                await pilot.pause(0.01)
            await pilot.pause()
            figures[name] = time.perf_counter() - pressed
            figures[f"peak_{name[:-2]}_mb"] = peak_mb()
        for key, name in (("b", "back_ms"), ("home", "first_ms"), ("end", "last_ms")):
            await pilot.press("1")
            pressed = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            figures[name] = (time.perf_counter() - pressed) * 1000
        await pilot.press("q")
    figures["peak_mb"] = peak_mb()
    return figures


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(kind: str, target: str, steps: int, tree: str | None) -> dict[str, float]:
    env = {**os.environ, **({"PYTHONPATH": tree} if tree else {})}
    command = [sys.executable, __file__, "--child", kind, target, str(steps)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{kind} {target} failed:\n{done.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tree", action="append", default=[])
    parser.add_argument("--recording", type=Path, help="the long lab's recording, if made")
    parser.add_argument("--live", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        kind, target, steps = options.child
        print(json.dumps(asyncio.run(measure(kind, target, int(steps)))))
        return
    trees: list[str | None] = list(options.tree) or [None]
    with tempfile.TemporaryDirectory() as folder:
        small = Path(folder) / "small.jsonl"
        make_recording(small, options.small, trees[0])
        long = options.recording or Path(folder) / "long.jsonl"
        if options.recording is None:
            make_recording(long, options.steps, trees[0])
        runs = [
            (f"replay {size:,} steps", "replay", str(path), size)
            for size, path in ((options.small, small), (options.steps, long))
        ]
        if options.live:
            runs += [
                (f"live {size:,} steps", "live", str(LAB), size)
                for size in (options.small, options.steps)
            ]
        results: dict[tuple[str, str | None], list[dict[str, float]]] = {}
        for _ in range(options.repeat):
            for name, kind, target, size in runs:
                for tree in trees:
                    figures = run_child(kind, target, size, tree)
                    results.setdefault((name, tree), []).append(figures)
                    print(f"  {name} [{tree or 'this netlab'}]: {figures}", file=sys.stderr)
    for (name, tree), found in results.items():
        print(f"{name} [{tree or 'this netlab'}], {len(found)} runs: min / median")
        for figure in found[0]:
            values = [run[figure] for run in found]
            print(f"  {figure:>14}: {min(values):10.1f} / {statistics.median(values):10.1f}")


if __name__ == "__main__":
    main()

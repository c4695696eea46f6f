"""Steps per second: one actor making calls without ever waiting (bench/many_steps.py), traced
in run mode and played at full speed, against the same loop run raw in this process.

    python bench/steps_bench.py [STEPS]

Runs take turns (raw, run, play) five times; prints the best and the median of each, and the
ratios to the raw loop. To compare two revisions, run it with ``PYTHONPATH`` set to each
checkout in turn (the actors inherit it).
"""

from __future__ import annotations

import socket
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
ROUNDS = 5


def raw() -> float:
    """Seconds a call, the loop run without netlab."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        address = s.getsockname()
        started = time.perf_counter()
        for _ in range(STEPS // 2):
            s.sendto(b"tick", address)
            s.recvfrom(16)
        return (time.perf_counter() - started) / STEPS


def traced(mode: str) -> float:
    """Seconds a step, traced (from the first call to the last)."""
    from netlab.core import events as ev
    from netlab.core.conductor import Conductor
    from netlab.core.scenario import load_scenario

    conductor = Conductor(
        load_scenario(str(HERE / "many_steps.py")),
        args={"steps": STEPS},
        mode=mode,
        pace=0.0,
        time_limit=600,
    )
    conductor.run()
    calls = [e for e in conductor.events if e.kind == ev.CALL]
    return (calls[-1].wtime - calls[0].wtime) / len(calls)


def main() -> None:
    import netlab

    times: dict[str, list[float]] = {"raw": [], "run": [], "play": []}
    for _ in range(ROUNDS):
        times["raw"].append(raw())
        times["run"].append(traced("run"))
        times["play"].append(traced("play"))
    print(f"{STEPS:,} calls, netlab from {Path(netlab.__file__).parent.parent}")
    best_raw = min(times["raw"])
    for name, values in times.items():
        best, median = min(values), statistics.median(values)
        print(
            f"  {name:5} best {1 / best:9,.0f} steps/s, median {1 / median:9,.0f} steps/s"
            f"  ({best / best_raw:5.1f}x the best raw call)"
        )


if __name__ == "__main__":
    main()

"""The same TCP echo loop three ways, measured in one run: raw (two plain processes), traced by
netlab in run mode (every call sequenced), and raw under ``strace -f`` where strace exists.

    python bench/echo_bench.py [ROUNDS]

Prints seconds, the traced run's steps per second, and the ratios to the raw loop. The time of
each is the loop alone (best of five), not the start of the processes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
PAIRS = 5

RAW = """
import multiprocessing, socket, sys, time
sys.path.insert(0, {here!r})
from echo_loop import ping, serve
port = {port}
ready = multiprocessing.Event()
server = multiprocessing.Process(target=serve, args=("127.0.0.1", port, ready.set))
server.start()
ready.wait()
started = time.perf_counter()
ping("127.0.0.1", port, {rounds})
print(time.perf_counter() - started)
server.join()
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raw(prefix: list[str]) -> float:
    code = RAW.format(here=str(HERE), port=free_port(), rounds=ROUNDS)
    out = subprocess.run([*prefix, sys.executable, "-c", code], capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def traced() -> tuple[float, int]:
    from netlab.core import events as ev
    from netlab.core.conductor import Conductor
    from netlab.core.scenario import load_scenario

    conductor = Conductor(
        load_scenario(str(HERE / "echo_loop.py")), args={"rounds": ROUNDS}, time_limit=300
    )
    conductor.run()
    calls = [e for e in conductor.events if e.kind == ev.CALL]
    # The loop alone: from the client's first sendall to its last recv.
    first = next(e for e in calls if e.actor == "client" and e.op == "sendall")
    last = [e for e in conductor.events if e.actor == "client" and e.op == "recv"][-1]
    return last.wtime - first.wtime, len(calls)


def command_time(args: list[str]) -> float:
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "netlab", *args], capture_output=True, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    # Raw and traced runs take turns, so that a machine that slows down for a while (a shared
    # VM) slows both alike; each pair gives a ratio, and the median of them is reported.
    raws, runs = [], []
    for _ in range(PAIRS):
        raws.append(raw([]))
        runs.append(traced())
    raw_s = min(raws)
    traced_s, calls = min(runs)
    ratios = sorted(run / raw_s for (run, _), raw_s in zip(runs, raws, strict=True))
    print(f"echo loop, {ROUNDS:,} round trips on loopback ({os.cpu_count()} CPUs)")
    print(f"  raw:              {raw_s:7.3f} s  ({raw_s / ROUNDS * 1e6:6.1f} µs a round trip)")
    print(f"  netlab run mode:  {traced_s:7.3f} s  ({traced_s / raw_s:5.1f}x the best raw run)")
    print(
        f"    ratio of each traced run to the raw run before it: "
        f"{', '.join(f'{r:.1f}' for r in ratios)} (median {ratios[len(ratios) // 2]:.1f}x)"
    )
    print(f"  steps per second: {calls / traced_s:,.0f} (every call sequenced)")
    if shutil.which("strace"):
        strace_s = min(raw(["strace", "-f", "-qq", "-o", "/dev/null"]) for _ in range(3))
        print(f"  raw under strace: {strace_s:7.3f} s  ({strace_s / raw_s:5.1f}x raw)")
    print(f"netlab --version: {command_time(['--version']) * 1000:.0f} ms (best of 5)")
    print(f"netlab list:      {command_time(['list']) * 1000:.0f} ms (best of 5)")


if __name__ == "__main__":
    main()

"""How much memory netlab takes for a long lab: the peak resident size of ``netlab run`` for
one actor making STEPS calls (``many_steps.py``), its output thrown away, with and without the
recording written as it goes.

    python bench/memory_bench.py [STEPS ...]

Baseline: ``netlab --version`` in the same run. Each figure is the best of three.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
STEPS = [int(arg) for arg in sys.argv[1:]] or [20_000, 100_000]


def peak_mb(argv: list[str]) -> tuple[float, float]:
    """(peak resident MB, seconds) of a command run alone in a process of its own."""
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        with Path(os.devnull).open("wb") as null:
            os.dup2(null.fileno(), 1)
            os.dup2(null.fileno(), 2)
        os.execvp(argv[0], argv)
    _, _, usage = os.wait4(pid, 0)
    return usage.ru_maxrss / 1024, time.perf_counter() - started


def best(argv: list[str]) -> tuple[float, float]:
    runs = [peak_mb(argv) for _ in range(3)]
    return min(run[0] for run in runs), min(run[1] for run in runs)


def main() -> None:
    netlab = [sys.executable, "-m", "netlab"]
    base, _ = best([*netlab, "--version"])
    print(f"netlab --version: {base:.0f} MB")
    lab = str(HERE / "many_steps.py")
    for steps in STEPS:
        args = ["--arg", f"steps={steps}", "--timeout", "3600"]
        mb, seconds = best([*netlab, "run", lab, *args])
        print(f"{steps:>9,} steps: {mb:6.0f} MB ({mb / base:.1f}x), {seconds:.1f} s")
        with tempfile.TemporaryDirectory() as folder:
            record = ["--record", str(Path(folder) / "lab.jsonl")]
            mb, seconds = best([*netlab, "run", lab, *args, *record])
        print(f"{steps:>9,} steps, recorded: {mb:6.0f} MB ({mb / base:.1f}x), {seconds:.1f} s")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()

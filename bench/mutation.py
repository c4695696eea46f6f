"""Mutation testing of the core's rules, on demand (never in CI): the score per module.

    python bench/mutation.py            # a full run from scratch, then the table
    python bench/mutation.py --report   # the table of the last run, without running again
    python bench/mutation.py --keep     # reuse the last run's results (mutmut reruns what changed)

mutmut (configured in pyproject.toml, ``[tool.mutmut]``) copies ``netlab/`` to ``mutants/``,
makes small changes ("mutants") in the core's rule modules one at a time and runs the fast tests
(``tests/core``) that reach the changed function. A mutant is killed when a test fails (or runs
past its time limit); it survives when every test still passes. It runs niced, with at most two
workers, so that it can share a small machine.

The table counts, per module: killed / total, the percentage killed, and the survivors by name
(``mutmut show NAME`` prints the change; ``mutmut browse`` lets you walk them).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAUGHT = {"killed", "timeout", "segfault", "caught by type check"}


def mutmut() -> list[str]:
    exe = Path(sys.executable).with_name("mutmut")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "mutmut"]


def run(workers: int) -> float:
    start = time.monotonic()
    nice = ["nice", "-n", "10"] if shutil.which("nice") else []
    command = [*nice, *mutmut(), "run", "--max-children", str(workers)]
    subprocess.run(command, cwd=ROOT, check=False)
    return time.monotonic() - start


def results() -> dict[str, dict[str, str]]:
    """Every mutant's status, by module: ``{"netlab.core.reducer": {name: "killed", ...}}``."""
    out = subprocess.run(
        [*mutmut(), "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    ).stdout
    by_module: dict[str, dict[str, str]] = defaultdict(dict)
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if not sep or "__mutmut_" not in name:
            continue
        module = name.rsplit(".", 1)[0]
        by_module[module][name] = status
    return by_module


def report(by_module: dict[str, dict[str, str]], *, show_survivors: bool = True) -> int:
    width = max((len(m) for m in by_module), default=10)
    print(f"\n{'module':<{width}}  {'killed':>6} / {'total':<5}  {'%':>5}  other")
    all_killed = all_total = 0
    for module in sorted(by_module):
        statuses = by_module[module]
        counts = Counter(statuses.values())
        killed = sum(n for status, n in counts.items() if status in CAUGHT)
        total = len(statuses)
        all_killed += killed
        all_total += total
        others = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if s not in CAUGHT)
        print(f"{module:<{width}}  {killed:>6} / {total:<5}  {100 * killed / total:5.1f}  {others}")
    if all_total:
        total_line = f"{all_killed:>6} / {all_total:<5}  {100 * all_killed / all_total:5.1f}"
        print(f"{'all':<{width}}  {total_line}")
    if show_survivors:
        for module in sorted(by_module):
            left = sorted(n for n, s in by_module[module].items() if s not in CAUGHT)
            if left:
                print(f"\n{module}: not killed")
                for name in left:
                    print(f"  {name}: {by_module[module][name]}")
    return 0 if all_total else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--report", action="store_true", help="only print the last run's table")
    parser.add_argument("--keep", action="store_true", help="reuse the last run's results")
    parser.add_argument("--workers", type=int, default=2, help="mutmut workers (default 2)")
    parser.add_argument("--quiet", action="store_true", help="the table only, no survivors")
    args = parser.parse_args()
    if not args.report:
        if not args.keep:
            shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        seconds = run(args.workers)
        print(f"\nmutmut ran for {seconds / 60:.1f} min")
    return report(results(), show_survivors=not args.quiet)


if __name__ == "__main__":
    sys.exit(main())

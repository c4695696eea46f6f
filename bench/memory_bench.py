"""How much memory netlab takes for a long lab: the peak resident size of ``netlab run`` for
one actor making STEPS calls (``many_steps.py``), its output thrown away, with and without the
recording written as it goes.

    python bench/memory_bench.py [--repeat N] [--tree PATH ...] [--unrecorded] [STEPS ...]

STEPS defaults to 100,000, 300,000 and 1,000,000. Baseline: ``netlab --version``, measured in
the same run. Every measurement is made N times (default 3), the runs taking turns (baseline,
each lab, each tree, then again), and reported as the smallest and the median.

``--tree PATH`` (repeatable) runs netlab from that checkout (``PYTHONPATH=PATH``) to compare
revisions in one run, taking turns; without it, the netlab this Python imports.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent


def peak_mb(argv: list[str], tree: str | None) -> tuple[float, float]:
    """(peak resident MB, seconds) of a command run alone in a process of its own (its actors,
    in processes of their own, are not counted)."""
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = tree
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        with Path(os.devnull).open("wb") as null:
            os.dup2(null.fileno(), 1)
            os.dup2(null.fileno(), 2)
        os.execvpe(argv[0], argv, env)
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(argv)}")
    return usage.ru_maxrss / 1024, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("steps", nargs="*", type=int, default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tree", action="append", default=[])
    parser.add_argument("--unrecorded", action="store_true", help="only without --record")
    options = parser.parse_args()
    trees: list[str | None] = list(options.tree) or [None]
    netlab = [sys.executable, "-m", "netlab"]
    lab = str(HERE / "many_steps.py")
    with tempfile.TemporaryDirectory() as folder:
        record = ["--record", str(Path(folder) / "lab.jsonl")]  # written again by each run
        # (name, tree, command), in the order they take turns: each lab on each tree in turn.
        cases = [("netlab --version", tree, [*netlab, "--version"]) for tree in trees]
        for steps in options.steps:
            run = [*netlab, "run", lab, "--arg", f"steps={steps}", "--timeout", "36000"]
            ways = [([], "")] + ([] if options.unrecorded else [(record, ", recorded")])
            for more, recorded in ways:
                cases += [(f"{steps:>9,} steps{recorded}", tree, run + more) for tree in trees]
        figures: list[list[tuple[float, float]]] = [[] for _ in cases]
        for _ in range(options.repeat):
            for case, (name, tree, argv) in enumerate(cases):
                figures[case].append(peak_mb(argv, tree))
                mb, seconds = figures[case][-1]
                print(f"  {name} ({tree}): {mb:.0f} MB, {seconds:.1f} s", file=sys.stderr)
    print(f"Peak resident MB and seconds, {options.repeat} runs each: min / median")
    base = {tree: min(mb for mb, _ in figures[index]) for index, tree in enumerate(trees)}
    for case, (name, tree, _) in enumerate(cases):
        mbs, seconds = [mb for mb, _ in figures[case]], [s for _, s in figures[case]]
        where = f"{Path(tree).name}: " if tree else ""
        print(
            f"{where + name:<36} {min(mbs):6.0f} / {statistics.median(mbs):6.0f} MB"
            f" ({min(mbs) / base[tree]:5.1f}x)"
            f"  {min(seconds):7.1f} / {statistics.median(seconds):7.1f} s"
        )


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()

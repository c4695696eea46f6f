"""How fast the link decides, and how long tcp-vs-udp takes with 1,000 messages per transport.

Run on demand: ``python bench/link_bench.py``. Figures are printed with a baseline measured in the
same run: the bare random draws for the model, the perfect link for the lab.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time

from netlab.core.link import TO_SERVER, Link, LinkModel

N = 200_000


def best_of(times: int, work) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def draws_only() -> None:
    rng = random.Random(1)
    for _ in range(N * 4):  # a datagram takes about four draws
        rng.random()


def datagrams() -> None:
    model = LinkModel(Link(loss=0.2, duplicate=0.05, delay=20, jitter=10, corrupt=0.01), 1)
    for _ in range(N):
        model.datagram(0.0, "client#1", TO_SERVER, 100)


def segments() -> None:
    model = LinkModel(Link(loss=0.2, delay=20, jitter=10, segment=100), 1)
    offset = 0
    for _ in range(N // 10):
        model.segments(0.0, "client#1", TO_SERVER, offset, 1000)  # ten segments
        offset += 1000


def lab(link: str | None, count: int) -> float:
    command = [sys.executable, "-m", "netlab", "run", "tcp-vs-udp", "--arg", f"count={count}"]
    if link:
        command += ["--link", link]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=120)
    return time.perf_counter() - started


def main() -> None:
    base = best_of(3, draws_only)
    udp = best_of(3, datagrams)
    tcp = best_of(3, segments)
    rate = N / udp
    print(f"link model, {N:,} datagrams: {rate:,.0f} decisions/s ({udp / base:.1f}x the draws)")
    print(f"link model, {N:,} TCP segments: {N / tcp:,.0f} segments/s")
    perfect = min(lab("perfect", 1000) for _ in range(3))
    lossy = min(lab(None, 1000) for _ in range(3))
    print(f"tcp-vs-udp, 1,000 messages per transport, perfect link: {perfect:.2f} s")
    print(f"tcp-vs-udp, 1,000 messages per transport, its lossy link: {lossy:.2f} s")
    print(f"ratio lossy/perfect: {lossy / perfect:.2f}")


if __name__ == "__main__":
    main()

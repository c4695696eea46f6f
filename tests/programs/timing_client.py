"""Measures how long its waits take, as learners do: a recv that times out, a sleep."""

import socket
import sys
import time

with socket.create_connection((sys.argv[1], int(sys.argv[2]))) as sock:
    sock.settimeout(2)
    started, counted, wall = time.monotonic(), time.perf_counter(), time.time()
    try:
        sock.recv(10)
    except TimeoutError:
        print(f"timed out after {time.monotonic() - started:.1f} s")
        print(f"perf_counter {time.perf_counter() - counted:.1f}, time {time.time() - wall:.1f}")
    started = time.monotonic_ns()
    time.sleep(0.3)
    print(f"slept {(time.monotonic_ns() - started) / 1e9:.1f} s")

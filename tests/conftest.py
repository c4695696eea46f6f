"""Every test leaves no process behind: an actor process still alive after a test fails it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psutil
import pytest


def _alive_children() -> list[psutil.Process]:
    alive = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                alive.append(child)
        except psutil.NoSuchProcess:
            pass
    return alive


@pytest.fixture(autouse=True)
def no_process_left_behind() -> Iterator[None]:
    yield
    deadline = time.monotonic() + 2.0  # a process that was told to leave gets a moment
    while _alive_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    left = _alive_children()
    for process in left:
        process.kill()
    assert not left, f"processes left behind: {[p.cmdline() for p in left]}"

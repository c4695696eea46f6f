"""Every test leaves nothing behind: no process (an actor still alive after a test fails it), no
thread of its own still running, and no internet socket of the test process left open."""

from __future__ import annotations

import threading
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


def _threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.is_alive()}


def _inet_sockets() -> set[tuple[object, ...]]:
    """The test process's own TCP and UDP sockets (the actors' are in their own processes)."""
    return {
        (conn.fd, conn.type, conn.laddr, conn.status)
        for conn in psutil.Process().net_connections(kind="inet")
    }


def _settle(check, grace: float = 2.0) -> object:  # type: ignore[no-untyped-def]
    """What ``check()`` finds once it finds nothing, or after ``grace`` seconds."""
    deadline = time.monotonic() + grace  # what was told to leave gets a moment
    found = check()
    while found and time.monotonic() < deadline:
        time.sleep(0.05)
        found = check()
    return found


@pytest.fixture(autouse=True)
def own_state_directory(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A learner's progress (XDG state) goes to a folder of the test's own, never the home."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture(autouse=True)
def no_process_left_behind() -> Iterator[None]:
    threads_before = _threads()
    sockets_before = _inet_sockets()
    yield
    left = _settle(_alive_children)
    for process in left:  # type: ignore[attr-defined]
        process.kill()
    assert not left, f"processes left behind: {[p.cmdline() for p in left]}"  # type: ignore[attr-defined]
    threads = _settle(lambda: _threads() - threads_before)
    assert not threads, f"threads left running: {threads}"
    sockets = _settle(lambda: _inet_sockets() - sockets_before, grace=1.0)
    assert not sockets, f"sockets left open: {sockets}"

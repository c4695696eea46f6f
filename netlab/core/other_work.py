"""What an actor's process does besides the traced call its main thread waits in: its other
threads and its child processes, as Linux shows them in /proc.

Two questions, for two rules (DESIGN §2.2): is anything *running* now (a thread or a child on
a CPU, or in uninterruptible sleep) — then the virtual clock must wait for it; and is anything
*alive* at all — then a lab where every actor waits is not called a deadlock yet.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from pathlib import Path

_RUNNING = ("R", "D")  # on a CPU or about to be; in a disk wait

# The threads that are lanes: the conductor schedules them, they are not work besides.
scheduled: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


def _state(stat: Path) -> str:
    """A task's state letter from its /proc stat file ("" if it has gone)."""
    with contextlib.suppress(OSError, IndexError):
        return stat.read_text().rsplit(")", 1)[1].split()[0]
    return ""


def _other_threads() -> list[threading.Thread]:
    main = threading.main_thread()
    return [
        t for t in threading.enumerate() if t is not main and t.is_alive() and t not in scheduled
    ]


def _children() -> list[int]:
    """This process's children (Linux: /proc/self/task/*/children), ended or not."""
    children: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path("/proc/self/task").iterdir():
            children += [int(pid) for pid in (task / "children").read_text().split()]
    return children


def running(children_possible: bool) -> bool:
    """Whether another thread, or (``children_possible``) a child process, is running now."""
    if threading.active_count() > 1:
        for thread in _other_threads():
            if _state(Path(f"/proc/self/task/{thread.native_id}/stat")) in _RUNNING:
                return True
    if children_possible:
        return any(_state(Path(f"/proc/{pid}/stat")) in _RUNNING for pid in _children())
    return False


def alive() -> str:
    """The other threads and the children that have not ended, named ("" when none)."""
    parts = [f"thread {thread.name}" for thread in _other_threads()]
    living = [pid for pid in _children() if _state(Path(f"/proc/{pid}/stat")) not in ("Z", "X", "")]
    if living:
        parts.append(f"{len(living)} child process{'es' if len(living) > 1 else ''}")
    return ", ".join(parts)

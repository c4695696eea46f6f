"""Everything a lab's actors start ends with the lab, and no actor takes more than its share.

An actor is a process group of its own, killed as a group at the end. A child may leave the
group (``setsid``) or be orphaned (a double fork, a daemon): netlab's process is a child
subreaper (``PR_SET_CHILD_SUBREAPER``), so an orphan becomes its child instead of init's; and
every process of a lab carries the lab's mark in its environment. At the end, every process
that descends from an actor (found before the actors are stopped), and every orphan taken in
that carries the mark, is killed and reaped. (An orphan that also cleared its environment is
not known to be the lab's.)

Each actor runs under a memory limit (``RLIMIT_AS``) and a CPU-time limit (``RLIMIT_CPU``),
which what it starts inherits.
"""

from __future__ import annotations

import contextlib
import os
import resource
import select
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

MARK = "NETLAB_LAB"  # the environment variable every process of a lab carries
_PR_SET_CHILD_SUBREAPER = 36


@dataclass(frozen=True)
class Limits:
    """What each actor may take: its address space (MB) and its CPU time (seconds)."""

    memory_mb: int = 2048
    cpu_seconds: int = 120

    def apply(self) -> None:
        """Limit this process (an actor) and whatever it starts (never above a limit the
        system already sets)."""
        memory = self.memory_mb * 1024 * 1024
        _lower(resource.RLIMIT_AS, memory, memory)
        # Past the soft limit the kernel sends SIGXCPU; the hard one, a little later, SIGKILL.
        _lower(resource.RLIMIT_CPU, self.cpu_seconds, self.cpu_seconds + 5)

    def memory_said(self) -> str:
        return f"over its memory limit of {self.memory_mb} MB (--memory-limit)"


def _lower(kind: int, soft: int, hard: int) -> None:
    _, system = resource.getrlimit(kind)
    if system != resource.RLIM_INFINITY:
        soft, hard = min(soft, system), min(hard, system)
    resource.setrlimit(kind, (soft, hard))


def become_subreaper() -> bool:
    """Orphans of this process's descendants become its children (Linux 3.4 and later)."""
    import ctypes  # (here: the command line starts faster without it)

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def new_mark() -> str:
    return uuid.uuid4().hex


def descendants(pids: list[int]) -> list[int]:
    """Every process started by these, at any depth, whatever their group or session."""
    found: list[int] = []
    frontier = list(pids)
    while frontier:
        children = _children(frontier.pop())
        found += children
        frontier += children
    return found


def marked_children(mark: str) -> list[int]:
    """This process's children that carry the lab's mark: orphans of the lab it took in."""
    needle = f"{MARK}={mark}".encode()
    found = []
    for pid in _children(os.getpid()):
        with contextlib.suppress(OSError):
            if needle in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                found.append(pid)
    return found


def _children(pid: int) -> list[int]:
    """The children of a process, from each of its threads' lists."""
    children = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError):
                children += [int(child) for child in (task / "children").read_text().split()]
    return children


def end_all(pids: list[int]) -> None:
    """Kill these processes, and reap those that are this process's children (subreaped
    orphans: nobody else will). One that cannot be killed is not waited for."""
    killed = []
    for pid in dict.fromkeys(pids):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
    give_up = time.monotonic() + 2.0
    for pid in killed:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:  # another's child: wait until it has ended, so that what it
            _wait_ended(pid, give_up - time.monotonic())  # orphans is ours before we look
        except OSError:
            pass


def _wait_ended(pid: int, seconds: float) -> None:
    with contextlib.suppress(OSError):
        ended = os.pidfd_open(pid)  # readable once the process has ended
        try:
            select.select([ended], [], [], max(0.0, seconds))
        finally:
            os.close(ended)


def lab_zombies(since: int) -> list[int]:
    """This process's children that have ended unreaped and started with the lab or after
    (``since``: the first actor's start, see ``started_at``): orphans of the lab taken in
    after their environment, with the mark, was gone."""
    found = []
    for pid in _children(os.getpid()):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            if fields[0] == "Z" and int(fields[19]) >= since:
                found.append(pid)
    return found


def started_at(pid: int) -> int:
    """When a process started, in the kernel's clock ticks since boot (0 if it is gone)."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19])
    except (OSError, ValueError, IndexError):
        return 0


def cpu_limit_said(code: int | None, limits: Limits) -> str:
    """How an actor's process that its CPU-time limit ended is said to have ended ("" if
    something else ended it: nothing but that limit sends SIGXCPU)."""
    if code == -signal.SIGXCPU:
        return f"reached its CPU-time limit of {limits.cpu_seconds} s (--cpu-limit)"
    return ""

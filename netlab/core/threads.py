"""An actor's threads as lanes (DESIGN §2.1): each thread it starts speaks to the conductor on a
channel of its own and is scheduled like an actor, one at a time, so a threaded server runs the
same way every time.

Installed in the actor process with the shim. ``Thread.start`` makes the new thread a lane
before it runs (it waits for its first turn); a thread that must wait for another — a lock
another lane holds, an event or a condition another will set, a queue another will fill, the
end of a thread (``join``) — waits in a traced call, so that the conductor lets the others run
meanwhile. An uncontended lock costs no step. When the actor's function ends, its threads are
joined as Python does at exit (daemon threads end with it).
"""

from __future__ import annotations

import _thread
import functools
import itertools
import queue
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from netlab.core import other_work, shim, wire
from netlab.core.channel import ChannelClosed, channel_pair
from netlab.core.shim import Lane, Stopped, Tracer, error_text

_real_init = threading.Thread.__init__
_real_start = threading.Thread.start
_real_join = threading.Thread.join
_thread_numbers = itertools.count(1)

_TRACER: Tracer | None = None
_untraced = threading.local()  # .depth > 0: waits here are the library's own, not traced

# Frames of these files are the library's: a wait is named after the last of them.
_LIBRARY = {threading.__file__, queue.__file__, __file__}
_LIBRARY |= {
    str(Path(threading.__file__).parent / "concurrent" / "futures" / name)
    for name in ("_base.py", "thread.py")
}


def _tracer() -> Tracer | None:
    """The tracer, if the calling thread's waits are traced now."""
    tracer = _TRACER
    if tracer is None or _untraced_depth() or not tracer.tracing():
        return None
    return tracer


def _untraced_depth() -> int:
    depth: int = getattr(_untraced, "depth", 0)
    return depth


class _Untraced:
    """Within it, the calling thread's waits go straight to the kernel (the library's own
    short waits, as ``Thread.start`` waiting for the new thread to begin)."""

    def __enter__(self) -> None:
        _untraced.depth = _untraced_depth() + 1

    def __exit__(self, *exc: object) -> None:
        _untraced.depth -= 1


def _waited_in() -> str:
    """What the program called that waits: ``Queue.get``, ``Event.wait``, ``Lock.acquire``."""
    frame: FrameType | None = sys._getframe(2)
    name = "Lock.acquire"
    while frame is not None and frame.f_code.co_filename in _LIBRARY:
        if frame.f_code.co_filename != __file__:
            name = frame.f_code.co_qualname
        frame = frame.f_back
    return name


def _free_within(lock: Any, wait: float) -> bool:
    """Whether ``lock`` is free, or becomes free within ``wait`` seconds; left as it was."""
    if not lock.acquire(wait > 0, wait if wait > 0 else -1):
        return False
    lock.release()
    return True


class TracedLock:
    """``threading.Lock`` in a lab actor: a wait for a lock that another lane holds (or that
    a condition's ``notify`` will release) is a traced call."""

    __slots__ = ("__weakref__", "_lock")

    def __init__(self) -> None:
        self._lock = _thread.allocate_lock()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        lock = self._lock
        if lock.acquire(False):
            return True
        tracer = _tracer() if blocking else None
        if tracer is None or timeout == 0:
            return lock.acquire(blocking, timeout)

        def attempt(timed_out: bool) -> bool:
            if lock.acquire(False):
                return True
            if timed_out:
                return False
            raise BlockingIOError

        limit = None if timeout < 0 else float(timeout)
        ready = functools.partial(_free_within, lock)  # taken again when it goes on
        return tracer.call("wait", [_waited_in()], None, attempt, timeout=limit, ready=ready)

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def release(self) -> None:
        self._lock.release()
        tracer = _TRACER
        if tracer is not None:
            tracer.released = True  # the conductor asks the lanes that wait again

    def locked(self) -> bool:
        return self._lock.locked()

    def _at_fork_reinit(self) -> None:
        self._lock._at_fork_reinit()  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        state = "locked" if self._lock.locked() else "unlocked"
        return f"<{state} _thread.lock object at {id(self):#x}>"


class LaneThread:
    """The methods ``threading.Thread`` gets in a lab actor."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        self._nl_number = next(_thread_numbers)
        _real_init(self, *args, **kwargs)

    def __hash__(self: Any) -> int:
        """The thread's number, not its address: a set of threads (a pool's, which it joins
        in the set's order) goes in the same order every run."""
        return getattr(self, "_nl_number", None) or object.__hash__(self)

    def start(self: Any) -> None:
        tracer = _tracer()
        if tracer is None or not self._initialized or self._started.is_set():
            _real_start(self)  # untraced, or the error Python gives
            return
        theirs, mine = channel_pair()  # the conductor's end, the thread's end
        lane = Lane(mine, self)
        self._nl_lane = lane
        self.run = _lane_run(tracer, lane, self.run)
        tracer.send({"t": wire.LANE, "name": _lane_name(self.name)}, fd=theirs.fileno())
        theirs.close()
        with _Untraced():  # the new thread says it began at once: no need to schedule that
            _real_start(self)

    def join(self: Any, timeout: float | None = None) -> None:
        lane: Lane | None = getattr(self, "_nl_lane", None)
        tracer = _tracer()
        if (
            tracer is None
            or lane is None
            or not lane.ended.locked()  # it has ended: no wait
            or self is threading.current_thread()
            or (timeout is not None and timeout <= 0)
        ):
            _real_join(self, timeout)
            return
        ended = lane.ended

        def attempt(timed_out: bool) -> None:
            if not ended.locked():
                _real_join(self)  # it has said it ended: its thread is leaving
            elif not timed_out:
                raise BlockingIOError

        limit = None if timeout is None else float(timeout)
        ready = functools.partial(_free_within, ended)
        tracer.call("join", [self.name], None, attempt, timeout=limit, ready=ready)


def _lane_name(name: str) -> str:
    """``Thread-2`` for Python's ``Thread-2 (handle)``; a name the program gave, as it is."""
    return name.partition(" (")[0] if name.startswith("Thread-") else name


def _lane_run(tracer: Tracer, lane: Lane, run: Callable[[], object]) -> Callable[[], None]:
    def run_as_lane() -> None:
        tracer.enter_lane(lane)
        other_work.scheduled.add(lane.thread)
        error = None
        try:
            tracer.wait_for_go()  # its first turn
            try:
                run()
            except SystemExit:
                pass  # as by hand: the thread ends, quietly
            except BaseException as exc:  # Python's own report, to the actor's stderr
                if exc.__traceback__ is not None:  # from the thread's run(), as by hand
                    exc.__traceback__ = exc.__traceback__.tb_next
                threading.excepthook(
                    threading.ExceptHookArgs((type(exc), exc, exc.__traceback__, lane.thread))
                )
                error = error_text(exc)
            lane.ended.release()
            tracer.send({"t": wire.EXIT, "error": error} if error else {"t": wire.EXIT}, lane)
        except (Stopped, ChannelClosed):  # the lab ended first
            pass
        finally:
            lane.channel.close()

    return run_as_lane


def finish(tracer: Tracer) -> None:
    """The actor's function has ended: what Python does at exit with the threads left (its
    ``threading._shutdown``): the exit hooks of its libraries (a thread pool's), then join
    every thread that is not a daemon."""
    hooks: list[Callable[[], object]] = getattr(threading, "_threading_atexits", [])
    for hook in reversed(hooks):
        hook()
    hooks.clear()
    main = threading.main_thread()
    for thread in threading.enumerate():
        if thread is not main and not thread.daemon and getattr(thread, "_nl_lane", None):
            thread.join()


def install(tracer: Tracer) -> None:
    """Make the threads this process starts from now on lanes, and their waits traced."""
    global _TRACER
    _TRACER = tracer
    shim.skip_frames_of(*_LIBRARY)  # a wait's line is the program's, not the library's
    threading.Thread.__init__ = LaneThread.__init__  # type: ignore[method-assign]
    threading.Thread.__hash__ = LaneThread.__hash__  # type: ignore[method-assign]
    threading.Thread.start = LaneThread.start  # type: ignore[method-assign]
    threading.Thread.join = LaneThread.join  # type: ignore[method-assign]
    threading.Lock = TracedLock  # type: ignore[assignment]
    threading._allocate_lock = TracedLock  # type: ignore[attr-defined]  # Condition's waiters
    threading._CRLock = None  # type: ignore[attr-defined]  # RLock(): Python's, on Lock
    queue.SimpleQueue = queue._PySimpleQueue  # type: ignore[misc,attr-defined]  # thread pools
    # Their waits with a timeout are on the virtual clock: so is the time they count them by.
    threading._time = shim.virtual_monotonic  # type: ignore[attr-defined]
    queue.time = shim.virtual_monotonic  # type: ignore[attr-defined]

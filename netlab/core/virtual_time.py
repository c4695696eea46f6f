"""asyncio's loop time on the virtual clock (DESIGN §2.2), patched in as asyncio loads.

The loop's ``time()`` is the virtual clock itself, so that the loop's timers fire in the same
order every run. ``time.monotonic`` (and ``perf_counter``, ``time``) are real time plus the
virtual clock's jumps (see the shim): they must not freeze between two of the lab's steps,
because code waits on them (a loop that computes until a deadline). The shim does not import
asyncio (an actor may never use it): a finder on ``sys.meta_path`` patches
``asyncio.base_events`` when it is first imported.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

_MODULE = "asyncio.base_events"


class _LoopClock(importlib.abc.MetaPathFinder):
    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.loop_file = ""  # where asyncio's event loop is, once it is loaded

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        loader: Any = spec.loader
        load = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            load(module)
            self.patch(module)

        loader.exec_module = exec_module
        return spec

    def patch(self, module: ModuleType) -> None:
        clock = self.clock
        module.BaseEventLoop.time = lambda loop: clock()
        self.loop_file = module.__file__ or ""


_INSTALLED: _LoopClock | None = None


def install(clock: Callable[[], float]) -> None:
    """asyncio's loop time reads ``clock()`` from now on (and already, if it is loaded)."""
    global _INSTALLED
    _INSTALLED = finder = _LoopClock(clock)
    sys.meta_path.insert(0, finder)
    if _MODULE in sys.modules:
        finder.patch(sys.modules[_MODULE])


def asyncio_loop_file() -> str:
    """The file of asyncio's event loop, once loaded ("" before)."""
    return _INSTALLED.loop_file if _INSTALLED is not None else ""

"""Pausing Python's garbage collector while a lab's events pile up.

Each full collection walks every object made so far: with tens of thousands of events kept in
a list (a lab running freely, a recording being read), that is walked again and again, for no
garbage (events form no cycles). Paused, a run is about a tenth faster and reading a long
recording a third.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

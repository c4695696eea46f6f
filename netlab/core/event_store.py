"""A lab's events in order, any of them by its index, with only the latest few thousand in
memory: the rest wait in a file, read back a line at a time or by window. A lab of a million
steps is looked at as one of ten, and netlab's memory does not grow with it (issue #14).

The file is opened already unlinked: whatever ends netlab (a crash, SIGKILL), nothing is left
behind. Reads use ``os.pread``, which moves no file position, so a worker thread may read old
events while the UI appends new ones.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import overload

import orjson

from netlab.core.events import Event

# Parses one stored line into its event (a recording's reader also checks it is well-formed).
LineReader = Callable[[int, bytes], Event]

_CHUNK = 2_000  # events read in one go when a whole stretch is wanted


class LineFile:
    """Lines of a file by number, through a table of where each begins (8 bytes a line)."""

    def __init__(self, fd: int, offsets: array[int] | None = None) -> None:
        self.fd = fd
        self.offsets = offsets if offsets is not None else array("Q", [0])  # [n]: the end

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def lines(self, start: int, stop: int) -> list[bytes]:
        """Lines ``start`` to ``stop`` (excluded), without their ends, in one read."""
        if start >= stop:
            return []
        first, end = self.offsets[start], self.offsets[stop]
        block = os.pread(self.fd, end - first, first)
        return block.split(b"\n")[: stop - start]


class EventStore(Sequence[Event]):
    """Append-only; ``recent`` events stay in memory, older ones go to an anonymous file (or,
    ``behind`` given, are read back from there: events already kept on disk, a recording's, in
    the same order: then nothing is written twice)."""

    def __init__(
        self,
        *,
        recent: int = 10_000,
        cached: int = 4_000,
        behind: Sequence[Event] | None = None,
    ) -> None:
        self._recent = recent
        self._cached = cached
        self._behind = behind
        self._tail: list[Event] = []  # the events from index _base on
        self._base = 0
        self._file: LineFile | None = None
        self._cache: OrderedDict[int, Event] = OrderedDict()  # old events read lately
        self._lock = threading.Lock()  # appends (UI thread) against reads (a worker's)

    def append(self, event: Event) -> None:
        with self._lock:
            self._tail.append(event)
            if len(self._tail) >= 2 * self._recent:
                self._spill(self._tail[: self._recent])
                del self._tail[: self._recent]
                self._base += self._recent

    def extend(self, events: Sequence[Event]) -> None:
        for event in events:
            self.append(event)

    def _spill(self, events: list[Event]) -> None:
        if self._behind is not None:
            return  # kept there already: the events appended are the ones behind, in order
        if self._file is None:
            with tempfile.TemporaryFile(prefix="netlab-events-") as file:  # unlinked at once
                self._file = LineFile(os.dup(file.fileno()))
        lines = b"".join(_dumps(event) + b"\n" for event in events)
        offsets = self._file.offsets
        start = offsets[-1]
        os.pwrite(self._file.fd, lines, start)
        for line in lines.split(b"\n")[:-1]:
            start += len(line) + 1
            offsets.append(start)

    def close(self) -> None:
        """Let the file go (the store is not read again)."""
        with self._lock:
            if self._file is not None:
                os.close(self._file.fd)
                self._file = None
            self._tail, self._cache = [], OrderedDict()

    def __len__(self) -> int:
        return self._base + len(self._tail)

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> list[Event]: ...
    def __getitem__(self, index: int | slice) -> Event | list[Event]:
        if isinstance(index, slice):
            start, stop, stride = index.indices(len(self))
            if stride != 1:
                return [self[i] for i in range(start, stop, stride)]
            return self.window(start, stop)
        if index < 0:
            index += len(self)
        with self._lock:
            if not 0 <= index < self._base + len(self._tail):
                raise IndexError("event index out of range")
            if index >= self._base:
                return self._tail[index - self._base]
            event = self._cache.get(index)
            if event is None:
                event = self._old(index, index + 1)[0]
                self._cache[index] = event
                if len(self._cache) > self._cached:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(index)
            return event

    def window(self, start: int, stop: int) -> list[Event]:
        """Events ``start`` to ``stop`` (excluded), read in one go where they are on disk."""
        with self._lock:
            start, stop = max(0, start), min(stop, self._base + len(self._tail))
            on_disk = self._old(start, min(stop, self._base)) if start < self._base else []
            return on_disk + self._tail[max(0, start - self._base) : max(0, stop - self._base)]

    def _old(self, start: int, stop: int) -> list[Event]:
        if start >= stop:
            return []
        if self._behind is not None and stop <= len(self._behind):
            return list(self._behind[start:stop])
        assert self._file is not None
        return [_loads(line) for line in self._file.lines(start, stop)]

    def __iter__(self) -> Iterator[Event]:
        return self.stretch(0, len(self))

    def stretch(self, start: int, stop: int) -> Iterator[Event]:
        """Events ``start`` to ``stop`` one after the other, read a window at a time (a worker
        may go through a long lab this way while the lab goes on)."""
        for first in range(start, stop, _CHUNK):
            yield from self.window(first, min(stop, first + _CHUNK))

    def upto(self, count: int) -> Iterable[Event]:
        """The first ``count`` events, to go through as often as wanted (without a copy)."""
        return _Stretch(self, count)

    def __reversed__(self) -> Iterator[Event]:
        for index in range(len(self) - 1, -1, -1):
            yield self[index]


class _Stretch:
    def __init__(self, store: EventStore, count: int) -> None:
        self._store, self._count = store, count

    def __iter__(self) -> Iterator[Event]:
        return self._store.stretch(0, self._count)


def _dumps(event: Event) -> bytes:
    try:
        return orjson.dumps(event.to_json())
    except orjson.JSONEncodeError:  # a lone surrogate (undecodable output): json escapes it
        return json.dumps(event.to_json(), separators=(",", ":")).encode("ascii")


def _loads(line: bytes) -> Event:
    try:
        raw = orjson.loads(line)
    except orjson.JSONDecodeError:
        raw = json.loads(line)
    return Event.from_json(raw)

"""A lab's events in order, any of them by its index, with only the latest few thousand in
memory: the rest wait in a file, read back a chunk at a time. A lab of a million steps is looked
at as one of ten, and netlab's memory does not grow with it (issue #14).

The file is netlab's own, opened already unlinked: whatever ends netlab (a crash, SIGKILL),
nothing is left behind, and no one else writes to it, so it holds pickles (chunks of events
pickled together read back five to ten times faster than the same events as JSON, which is
what lets a view go through a million steps). Reads use ``os.pread``, which moves no file
position, so a worker thread may read old events while the UI appends new ones.
"""

from __future__ import annotations

import io
import os
import pickle
import tempfile
import threading
import weakref
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, overload

from netlab.core.events import Event

CHUNK = 500  # events pickled together: read back at once, and what one old event costs


class EventStore(Sequence[Event]):
    """Append-only; about ``recent`` events stay in memory, older ones go to an anonymous file
    in chunks, of which ``cached`` read lately are kept (or, ``behind`` given, they are read
    back from there: events already kept, in the same order; nothing is written twice)."""

    def __init__(
        self,
        *,
        recent: int = 10_000,
        cached: int = 8,
        chunk: int = CHUNK,
        behind: Sequence[Event] | None = None,
    ) -> None:
        self._recent = recent
        self._chunk_size = chunk
        self._cached = cached
        self._behind = behind
        self._tail: list[Event] = []  # the events from index _base on
        self._base = 0  # a multiple of the chunk's size
        self._fd: int | None = None
        self._closer: weakref.finalize[[int], EventStore] | None = None  # closes it, once
        self._starts = array("Q", [0])  # where each chunk begins in the file; [-1]: the end
        self._chunks: OrderedDict[int, list[Event]] = OrderedDict()  # read lately, by number
        self._lock = threading.Lock()  # appends (UI thread) against reads (a worker's)

    def append(self, event: Event) -> None:
        with self._lock:
            self._tail.append(event)
            if len(self._tail) >= self._recent + self._chunk_size:
                self._spill(self._tail[: self._chunk_size])
                del self._tail[: self._chunk_size]
                self._base += self._chunk_size

    def extend(self, events: Iterable[Event]) -> None:
        for event in events:
            self.append(event)

    def _spill(self, events: list[Event]) -> None:
        if self._behind is not None:
            return  # kept there already: the events appended are the ones behind, in order
        if self._fd is None:
            with tempfile.TemporaryFile(prefix="netlab-events-") as file:  # unlinked at once
                self._fd = os.dup(file.fileno())
            self._closer = weakref.finalize(self, os.close, self._fd)  # if close() is not called
        block = _pickled(events)
        os.pwrite(self._fd, block, self._starts[-1])
        self._starts.append(self._starts[-1] + len(block))

    def close(self) -> None:
        """Let the file go (the store is not read again)."""
        with self._lock:
            if self._closer is not None:
                self._closer()
                self._fd = None
            self._tail, self._chunks = [], OrderedDict()

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
            return self._old(index, index + 1)[0]

    def window(self, start: int, stop: int) -> list[Event]:
        """Events ``start`` to ``stop`` (excluded)."""
        with self._lock:
            start, stop = max(0, start), min(stop, self._base + len(self._tail))
            on_disk = self._old(start, min(stop, self._base)) if start < self._base else []
            return on_disk + self._tail[max(0, start - self._base) : max(0, stop - self._base)]

    def _old(self, start: int, stop: int) -> list[Event]:
        if self._behind is not None:
            return list(self._behind[start:stop])
        found: list[Event] = []
        size = self._chunk_size
        for number in range(start // size, (stop - 1) // size + 1):
            first = number * size
            found += self._chunk(number)[max(start, first) - first : stop - first]
        return found

    def _chunk(self, number: int) -> list[Event]:
        if number in self._chunks:
            self._chunks.move_to_end(number)
            return self._chunks[number]
        assert self._fd is not None
        begins, ends = self._starts[number], self._starts[number + 1]
        chunk: list[Event] = pickle.loads(os.pread(self._fd, ends - begins, begins))  # ours
        self._chunks[number] = chunk
        if len(self._chunks) > self._cached:
            self._chunks.popitem(last=False)
        return chunk

    def __iter__(self) -> Iterator[Event]:
        return self.stretch(0, len(self))

    def stretch(self, start: int, stop: int) -> Iterator[Event]:
        """Events ``start`` to ``stop`` one after the other, read a chunk at a time (a worker
        may go through a long lab this way while the lab goes on)."""
        for first in range(start, stop, self._chunk_size):
            yield from self.window(first, min(stop, first + self._chunk_size))

    def upto(self, count: int) -> Iterable[Event]:
        """The first ``count`` events, to go through as often as wanted (without a copy)."""
        return _Stretch(self, count)

    def __reversed__(self) -> Iterator[Event]:
        for index in range(len(self) - 1, -1, -1):
            yield self[index]


def _pickled(events: list[Event]) -> bytes:
    written = io.BytesIO()
    pickler = pickle.Pickler(written, protocol=pickle.HIGHEST_PROTOCOL)
    # An event's ``extra`` may be a read-only view of a dict, which pickle cannot take as is.
    pickler.dispatch_table = {MappingProxyType: lambda view: (read_only, (dict(view),))}
    pickler.dump(events)
    return written.getvalue()


def read_only(mapping: dict[str, Any]) -> Mapping[str, Any]:
    """A read-only view of ``mapping`` again, as it was pickled."""
    return MappingProxyType(mapping)


class _Stretch:
    def __init__(self, store: EventStore, count: int) -> None:
        self._store, self._count = store, count

    def __iter__(self) -> Iterator[Event]:
        return self._store.stretch(0, self._count)

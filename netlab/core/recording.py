"""Recordings: JSON Lines, a header then one event per line, flushed as it goes (DESIGN §2.4).

A crash leaves a readable prefix. The reader trusts nothing: every line is validated and a bad
one is reported by its line number.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson  # several times faster than json

from netlab.core.collector import collector_paused
from netlab.core.event_store import EventStore
from netlab.core.events import Event
from netlab.core.link import Link
from netlab.core.scenario import LoadedScenario


def _loads(line: str) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:  # also refuses lone surrogates, which json keeps
        if "depth" in str(exc):  # json would recurse as deep before it said so
            raise ValueError("nested deeper than anything netlab writes") from None
        return json.loads(line)


FORMAT = "netlab-recording"
# 2: ``kernel`` events (the kernel's view of the lab's sockets). Version 1 reads as it is.
FORMAT_VERSION = 2


class RecordingError(Exception):
    """A recording cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Recording:
    header: dict[str, Any]
    events: Sequence[Event]  # a list, or for a long recording an EventStore
    complete: bool  # False when the recording stops before the run's end event


def make_header(**fields: Any) -> dict[str, Any]:
    from netlab import __version__

    return {"format": FORMAT, "version": FORMAT_VERSION, "netlab": __version__, **fields}


def lab_header(loaded: LoadedScenario, *, seed: int, link: Link, **more: Any) -> dict[str, Any]:
    """The header of a lab's recording: what it is, and its source, so it replays anywhere."""
    sources = own_sources(loaded)
    others = {name: text for name, text in sources.items() if name != loaded.path.name}
    return make_header(
        scenario=loaded.name,
        title=loaded.scenario.title,
        file=loaded.path.name,
        source=sources.get(loaded.path.name, ""),
        **({"sources": others} if others else {}),  # the programs a lab runs besides
        seed=seed,
        link=link.to_json(),
        **more,
    )


def own_sources(loaded: LoadedScenario) -> dict[str, str]:
    """The text of each of the user's own files (the scenario, its programs), by file name."""
    sources = {}
    for path in loaded.own_files:
        try:
            sources[path.name] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            sources[path.name] = ""
    return sources


class RecordingWriter:
    """Writes a recording line by line; every line reaches the file before the next event
    (unless ``flush`` is False: a file only read back once it is closed)."""

    def __init__(self, path: Path, header: dict[str, Any], *, flush: bool = True) -> None:
        self.path = path
        self._file: IO[str] = path.open("w", encoding="utf-8")
        self._flush = flush
        self._write(header)

    def _write(self, obj: dict[str, Any]) -> None:
        # ASCII-only JSON: what an actor printed may hold lone surrogates (undecodable bytes),
        # which UTF-8 cannot carry but a \u escape can.
        self._file.write(json.dumps(obj, separators=(",", ":")) + "\n")
        if self._flush:
            self._file.flush()

    def write(self, event: Event) -> None:
        self._write(event.to_json())

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# A recording larger than this is not held in memory: its events are checked line by line into
# an event store, which keeps the latest in memory and the rest in its own file (a lab of a
# million steps makes a recording of half a gigabyte).
IN_MEMORY_UP_TO = 32 * 2**20  # bytes


def read_recording(path: Path, *, in_memory_up_to: int = IN_MEMORY_UP_TO) -> Recording:
    """Read and validate a recording; one larger than ``in_memory_up_to`` bytes is checked
    line by line into an :class:`EventStore` (read once: the file may change after)."""
    if Path(path).suffix == ".py":
        raise RecordingError(f"{path}: a scenario, not a recording (netlab open runs it)")
    try:
        size = Path(path).stat().st_size
        if size > in_memory_up_to:
            header, store = _scan(Path(path))
            return Recording(header, store, bool(store) and store[-1].kind == "end")
        text = Path(path).read_bytes().decode("utf-8")
    except OSError as exc:
        raise RecordingError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        line = text_line_of(Path(path).read_bytes(), exc.start)
        raise RecordingError(f"{path}, line {line}: not valid UTF-8") from None
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise RecordingError(f"{path}: empty file, not a netlab recording")
    header = _header(path, lines[0])
    with collector_paused(freeze=True):
        return Recording(header, *_read_events(path, lines))


def _header(path: Path, line: str) -> dict[str, Any]:
    header = _parse(path, 1, line)
    if header.get("format") != FORMAT:
        raise RecordingError(f"{path}, line 1: not a netlab recording (no netlab header)")
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise RecordingError(f"{path}, line 1: the format version is missing")
    if version > FORMAT_VERSION:
        raise RecordingError(
            f"{path}: made by a newer netlab (format version {version}; this netlab reads "
            f"up to {FORMAT_VERSION}): upgrade netlab to open it"
        )
    return header


def _read_events(path: Path, lines: list[str]) -> tuple[list[Event], bool]:
    events: list[Event] = []
    for number, line in enumerate(lines[1:], start=2):
        events.append(_event(path, number, line, len(events) + 1))
    return events, bool(events) and events[-1].kind == "end"


def _event(path: Path, number: int, line: str, seq: int) -> Event:
    """The event on line ``number``, which must be event number ``seq``."""
    raw = _parse(path, number, line)
    try:
        event = Event.from_json(raw)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise RecordingError(f"{path}, line {number}: not a valid event ({exc})") from None
    if event.seq != seq:
        raise RecordingError(f"{path}, line {number}: event number {event.seq}, expected {seq}")
    return event


def _lines(path: Path) -> Iterator[tuple[int, int, str]]:
    """(line number, where it begins, text) of each line holding something, the header first;
    blank lines only at the end, valid UTF-8 throughout."""
    try:
        file = path.open("rb")
    except OSError as exc:
        raise RecordingError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    with file:
        offset = 0
        blank = 0  # the first blank line: allowed only at the end
        found = False
        for number, data in enumerate(file, start=1):
            begins, offset = offset, offset + len(data)
            try:
                line = data.decode("utf-8").rstrip("\n")
            except UnicodeDecodeError:
                raise RecordingError(f"{path}, line {number}: not valid UTF-8") from None
            if not line.strip():
                blank = blank or number
                continue
            if blank:
                _parse(path, blank, "")  # not at the end: refused as not valid JSON
            found = True
            yield number, begins, line
        if not found:
            raise RecordingError(f"{path}: empty file, not a netlab recording")


def _first(path: Path, lines: Iterator[tuple[int, int, str]]) -> dict[str, Any]:
    """The header, from the first of ``lines``."""
    _, _, line = next(lines)  # an empty file is refused by _lines
    return _header(path, line)


def _scan(path: Path) -> tuple[dict[str, Any], EventStore]:
    """The header, and every event checked into a store that keeps most of them on disk."""
    lines = _lines(path)
    header = _first(path, lines)
    store = EventStore()
    with collector_paused():
        for seq, (number, _, line) in enumerate(lines, start=1):
            store.append(_event(path, number, line, seq))
    return header, store


class RecordedEvents:
    """A recording's events read from its file line by line each time they are iterated, and
    checked as :func:`read_recording` checks them: a long lab's events, not held in memory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __iter__(self) -> Iterator[Event]:
        lines = _lines(self.path)
        _first(self.path, lines)
        for seq, (number, _, line) in enumerate(lines, start=1):
            yield _event(self.path, number, line, seq)


# No line netlab writes comes near this (text is cut at 64 Ki characters, data at 256 bytes).
_LINE_LIMIT = 1 << 20


def _parse(path: Path, number: int, line: str) -> dict[str, Any]:
    if len(line) > _LINE_LIMIT:
        raise RecordingError(
            f"{path}, line {number}: {len(line):,} characters, longer than any line netlab "
            "writes (the file was edited or is not netlab's)"
        )
    try:
        raw = _loads(line)
    except RecursionError:
        raise RecordingError(f"{path}, line {number}: nested deeper than netlab writes") from None
    except ValueError as exc:
        why = "nested deeper than netlab writes" if "nested" in str(exc) else "not valid JSON"
        raise RecordingError(
            f"{path}, line {number}: {why} (the file may be truncated or edited)"
        ) from None
    if not isinstance(raw, dict):
        raise RecordingError(f"{path}, line {number}: expected a JSON object")
    return raw


def text_line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1

"""What a recorded session leaves beside its cast: the event log, and a chapter marker per
step for the recorder (``netlab record``)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO

from netlab.chapter_markers import open_marker_stream
from netlab.core import events as ev
from netlab.core.describe import call_text
from netlab.core.events import Event
from netlab.core.recording import RecordingWriter


class SessionLog:
    def __init__(self, events: RecordingWriter | None, markers: IO[str] | None) -> None:
        self._events = events
        self._markers = markers

    @classmethod
    def open(cls, events_path: Path | None, header: dict[str, object]) -> SessionLog:
        writer = RecordingWriter(events_path, header) if events_path is not None else None
        return cls(writer, open_marker_stream())

    def write(self, batch: Iterable[Event]) -> None:
        for event in batch:
            if self._events is not None:
                self._events.write(event)
            is_step = event.kind in ev.OUTCOMES and not event.extra.get("compound")
            if self._markers is not None and is_step:
                self._markers.write(f"step {event.step}: {event.actor} {call_text(event)}\n")
        if self._markers is not None:
            self._markers.flush()

    def close(self) -> None:
        if self._events is not None:
            self._events.close()
        if self._markers is not None:
            self._markers.close()

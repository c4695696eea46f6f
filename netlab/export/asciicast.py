"""asciicast v2: a header line, then ``[seconds, "o", text]`` output and ``[seconds, "m", label]``
markers (chapters), one JSON array per line. Most players and converters read v2 only.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import IO, Any

# Leaving the alternate screen: the app has ended and the terminal shows the shell again. What
# follows is the blank after exit, not the lab, and is left out of a cast.
LEAVE_ALT_SCREEN = "\x1b[?1049l"


class CastError(Exception):
    """A file is not a valid asciicast v2; the message names the line."""


class CastWriter:
    """Writes an asciicast v2 file as it goes (a crash leaves a playable prefix)."""

    def __init__(self, path: Path, width: int, height: int, title: str) -> None:
        self.path = path
        self._file: IO[str] = path.open("w", encoding="utf-8")
        self._ended = False
        header = {
            "version": 2,
            "width": width,
            "height": height,
            "timestamp": int(time.time()),
            "title": title,
            # Only these two: a cast is shared, the rest of the environment is nobody's business.
            "env": {
                "TERM": os.environ.get("TERM", "xterm-256color"),
                "SHELL": os.environ.get("SHELL", "/bin/sh"),
            },
        }
        self._line(header)

    def _line(self, value: Any) -> None:
        self._file.write(json.dumps(value, ensure_ascii=False) + "\n")
        self._file.flush()

    def output(self, at: float, text: str) -> None:
        """Screen output; everything from leaving the alternate screen on is dropped."""
        if self._ended or not text:
            return
        cut = text.find(LEAVE_ALT_SCREEN)
        if cut != -1:
            self._ended = True
            text = text[:cut]
            if not text:
                return
        self._line([round(at, 6), "o", text])

    def marker(self, at: float, label: str) -> None:
        if not self._ended:
            self._line([round(at, 6), "m", label])

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> CastWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_cast(path: Path) -> tuple[dict[str, Any], list[list[Any]]]:
    """Read and check an asciicast v2 file: its header and its events."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        raise CastError(f"{path}: empty")
    try:
        header = json.loads(lines[0])
    except ValueError:
        raise CastError(f"{path}, line 1: the header is not JSON") from None
    if not isinstance(header, dict) or header.get("version") != 2:
        raise CastError(f"{path}, line 1: not an asciicast v2 header")
    for key in ("width", "height"):
        if not isinstance(header.get(key), int) or header[key] <= 0:
            raise CastError(f"{path}, line 1: {key} must be a positive integer")
    events, last = [], 0.0
    for number, line in enumerate(lines[1:], start=2):
        try:
            event = json.loads(line)
        except ValueError:
            raise CastError(f"{path}, line {number}: not JSON") from None
        valid = (
            isinstance(event, list)
            and len(event) == 3
            and isinstance(event[0], (int, float))
            and event[1] in ("o", "i", "m", "r")
            and isinstance(event[2], str)
        )
        if not valid:
            raise CastError(f"{path}, line {number}: expected [seconds, code, text]")
        if event[0] < last:
            raise CastError(f"{path}, line {number}: time goes backwards")
        last = event[0]
        events.append(event)
    return header, events

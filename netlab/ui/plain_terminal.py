"""A terminal whose output encoding cannot show netlab's glyphs (``PYTHONIOENCODING=ascii``, a
C locale): every character it cannot encode is written as an ASCII look-alike, so borders read
``+--|`` and marks ``* x >``, instead of escapes such as ``\\u256d\\u2500`` everywhere."""

from __future__ import annotations

import codecs
import io
import unicodedata

_HANDLER = "netlab-look-alike"
_GLYPHS = "╭─│●▶⏸✗"  # what a terminal must show for the lab to be drawn as designed

# The lab's own marks, and the arrows and signs of its text: one character each, as each
# takes one cell (a longer stand-in would push the borders after it out of line).
_LOOK_ALIKES = {
    "●": "*",
    "○": "o",
    "◌": "o",
    "◆": "+",
    "▶": ">",
    "◀": "<",
    "▸": ">",
    "⏸": "=",
    "✗": "x",
    "✓": "v",
    "↯": "!",
    "²": "2",
    "▼": "v",
    "⊘": "0",
    "·": ".",
    "…": ".",
    "→": ">",
    "←": "<",
    "↔": "=",
    "↗": "/",
    "↑": "^",
    "↓": "v",
    "−": "-",
    "×": "x",
    "—": "-",
    "–": "-",
    "▌": "|",
    "▐": "|",
}


def look_alike(char: str) -> str:
    """An ASCII stand-in for one character."""
    if char in _LOOK_ALIKES:
        return _LOOK_ALIKES[char]
    code = ord(char)
    if 0x2500 <= code <= 0x257F:  # box drawing: lines and their corners
        name = unicodedata.name(char, "")
        across = any(word in name for word in ("HORIZONTAL", "LEFT", "RIGHT"))
        down = any(word in name for word in ("VERTICAL", "UP", "DOWN"))
        return "-" if across and not down else "|" if down and not across else "+"
    if 0x2580 <= code <= 0x259F:  # block elements: scrollbars, bars
        return "#"
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    return plain[:1] or "?"


def _replace(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(look_alike(char) for char in text), error.end


def use_look_alikes(stream: object) -> bool:
    """Make ``stream`` write look-alikes for what its encoding cannot show; whether it had to."""
    if not isinstance(stream, io.TextIOWrapper):
        return False
    try:
        _GLYPHS.encode(stream.encoding)
        return False
    except (UnicodeEncodeError, LookupError):
        pass
    try:
        codecs.lookup_error(_HANDLER)
    except LookupError:
        codecs.register_error(_HANDLER, _replace)
    stream.reconfigure(errors=_HANDLER)
    return True

"""The course: the built-in scenarios as lessons, in chapters, in the order they are taught.

A lesson is a scenario file of ``scenarios/``. Its docstring's first line says what it is; the
rest is the lesson text: what to watch for, and what to try next.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from netlab.core.scenario import builtin_scenarios

CHAPTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("First steps", ("tcp-echo", "ports", "udp-echo", "byte-order", "ipv6")),
    ("Many clients", ("backlog", "multiconn", "nonblocking-connect", "threads", "asyncio")),
    ("Protocols", ("message-boundaries", "app-protocol", "partial-send", "half-close")),
    ("When things go wrong", ("refused", "port-in-use", "reset", "timeouts")),
    ("UDP", ("udp-truncation", "tcp-vs-udp", "udp-kernel-drops")),
)
MORE = "More labs"  # built-in scenarios no chapter lists


@dataclass(frozen=True)
class Lesson:
    name: str
    chapter: str
    path: Path
    summary: str  # the docstring's first line
    text: str  # the rest of the docstring: what to watch for, what to try next


def lessons() -> list[Lesson]:
    """Every built-in scenario as a lesson, in course order (chapters first, then the rest)."""
    found = builtin_scenarios()
    listed = [(chapter, name) for chapter, names in CHAPTERS for name in names if name in found]
    named = {name for _, name in listed}
    listed += [(MORE, name) for name in found if name not in named]
    return [
        Lesson(name, chapter, found[name], *read_docstring(found[name])) for chapter, name in listed
    ]


def paragraphs(text: str) -> str:
    """A lesson text as it is shown: each paragraph one line, for the screen to wrap."""
    return "\n".join(" ".join(paragraph.split()) for paragraph in text.split("\n\n"))


def read_docstring(path: Path) -> tuple[str, str]:
    """A scenario file's summary and lesson text, without running it."""
    try:
        return docstring_of(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return "(cannot be read)", ""


def docstring_of(source: str) -> tuple[str, str]:
    """A scenario's summary and lesson text from its source (SyntaxError, ValueError if it
    is not Python)."""
    doc = (ast.get_docstring(ast.parse(source)) or "").strip()
    first, _, rest = doc.partition("\n\n")
    return " ".join(first.split()), rest.strip()

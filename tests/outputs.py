"""Reading netlab's outputs as their readers do: an SVG picture parsed as XML, a Markdown
tutorial read as the text a person sees. Helpers for tests, not tests."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

SVG = "{http://www.w3.org/2000/svg}"

# What must never be in a text a terminal or a Markdown viewer shows: C0 controls but the
# newline, DEL, C1 controls (0x9b is a one-byte CSI), escape sequences, and the invisible
# characters that reorder or hide text (bidi overrides and isolates, zero widths).
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def svg_lines(path: Path) -> list[str]:
    """The text an SVG screenshot shows, line by line (a picture of a terminal: one
    ``<text>`` per run of characters in one style, grouped by their ``y``), parsed as XML.
    Raises ``ElementTree.ParseError`` if the file is not well-formed XML."""
    root = ElementTree.parse(path).getroot()
    assert root.tag == f"{SVG}svg", f"{path.name}: the root is {root.tag}, not an SVG"
    lines: dict[float, list[tuple[float, str]]] = {}
    for text in root.iter(f"{SVG}text"):
        y, x = float(text.get("y", 0)), float(text.get("x", 0))
        lines.setdefault(y, []).append((x, "".join(text.itertext())))
    return [
        "".join(run for _, run in sorted(runs)).replace("\xa0", " ")
        for _, runs in sorted(lines.items())
    ]


def control_characters(text: str) -> list[str]:
    """Every control character or escape in ``text``, as ``repr`` shows it; [] for none."""
    return [repr(found) for found in CONTROL.findall(text)]

"""A terminal that cannot show netlab's glyphs gets ASCII look-alikes, not escapes."""

from __future__ import annotations

import io
import re
from pathlib import Path

from netlab.ui.plain_terminal import look_alike, use_look_alikes

UI = Path(__file__).parent.parent.parent / "netlab" / "ui"


def test_every_glyph_the_lab_draws_has_a_plain_look_alike() -> None:
    used = {char for path in UI.rglob("*.py") for char in path.read_text() if ord(char) > 127}
    used |= set("╭╮╰╯─│━╸╺▇▆▁▔")  # Textual's own borders, tab underlines and scrollbars
    for char in used:
        plain = look_alike(char)
        assert len(plain) == 1 and plain.isascii() and plain != "?", char  # one cell, as it was
    assert [look_alike(c) for c in "╭─│╸●⏸✗"] == ["+", "-", "|", "-", "*", "=", "x"]


def test_a_stream_that_cannot_show_them_writes_look_alikes() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="backslashreplace")
    assert use_look_alikes(stream)
    stream.write("╭─ server ─╮ ● → ✗ ECONNREFUSED")
    stream.flush()
    written = raw.getvalue().decode("ascii")
    assert written == "+- server -+ * > x ECONNREFUSED"
    assert not re.search(r"\\u[0-9a-f]{4}", written)
    utf8 = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert not use_look_alikes(utf8)  # a terminal that can show them is left alone

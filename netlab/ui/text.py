"""Turning untrusted strings into Rich text: through ``visible``, never through markup."""

from __future__ import annotations

from rich.text import Text

from netlab.core.safe_text import visible


def safe(text: str | bytes, style: str = "", *, multiline: bool = False) -> Text:
    """A Text that shows ``text`` literally: escapes visible, markup not parsed."""
    return Text(visible(text, multiline=multiline), style=style)

"""Turning untrusted strings into Rich text: through ``visible``, never through markup."""

from __future__ import annotations

from rich.text import Text

from netlab.core.safe_text import visible


def safe(text: str | bytes, style: str = "", *, multiline: bool = False) -> Text:
    """A Text that shows ``text`` literally: escapes visible, markup not parsed."""
    return Text(visible(text, multiline=multiline), style=style)


def fit_name(name: str, width: int) -> str:
    """An actor's name in ``width`` cells; a thread's (``server/Thread-2``) keeps its own
    part, which tells it from its actor's other threads: ``s…/Thread-2``."""
    if len(name) > width:
        owner, _, lane = name.rpartition("/")
        if owner and len(lane) + 2 < width:
            name = f"{owner[: width - len(lane) - 2]}…/{lane}"
        else:
            name = name[: width - 1] + "…"
    return name.ljust(width)

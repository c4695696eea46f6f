"""A line of its own for what the lab says in passing, and for what lasts (an active filter).

Textual's notifications float over the screen: they covered the last rows of the trace and the
Why text, stacked six deep, and came out in screenshots. This line takes its own row above the
footer, only while it has something to say, and holds one message at a time: a new one
replaces the last.
"""

from __future__ import annotations

from rich.text import Text
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widgets import Static

from netlab.core.safe_text import visible

_STYLES = {"information": "", "warning": "bold yellow", "error": "bold red"}


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        padding: 0 1;
        background: $boost;
        display: none;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.message = ""  # said in passing, until its time is up
        self.severity: SeverityLevel = "information"
        self._lasting: dict[str, str] = {}  # shown whenever no message is: a filter, say
        self._timer: Timer | None = None

    def say(
        self, message: str, severity: SeverityLevel = "information", timeout: float = 5
    ) -> None:
        self.message, self.severity = visible(message), severity
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(timeout, self._forget)
        self._show()

    @property
    def lasting(self) -> str:
        return "  ·  ".join(text for text in self._lasting.values() if text)

    def keep(self, name: str, text: str) -> None:
        """Show ``text`` for as long as it holds (an empty text: no longer)."""
        self._lasting[name] = visible(text)
        self._show()

    def _forget(self) -> None:
        self.message, self._timer = "", None
        self._show()

    def _show(self) -> None:
        if self.message:
            self.update(Text(self.message, _STYLES[self.severity], no_wrap=True))
        else:
            self.update(Text(self.lasting, "dim", no_wrap=True))
        self.display = bool(self.message or self.lasting)

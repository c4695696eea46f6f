"""A lesson's card: what the lab is about, what to watch for, and what to try next (the
scenario's docstring). Shown as a lesson opens, and again on ``l``."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from netlab.core.course import docstring_of, paragraphs
from netlab.ui.text import safe


def lesson_of(source: str) -> tuple[str, str]:
    """The summary and lesson text of a scenario's source ("" where it has none)."""
    try:
        return docstring_of(source)
    except (SyntaxError, ValueError):
        return "", ""


class LessonScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,l", "dismiss", "Go on", id="lesson.close")]

    def __init__(self, title: str, summary: str, text: str) -> None:
        super().__init__()
        self.title_text, self.summary, self.text = title, summary, text

    def compose(self) -> ComposeResult:
        with Vertical(id="lesson"):
            yield Static(safe(self.title_text, "bold"), markup=False)
            yield Static(safe(self.summary, "italic"), markup=False)
            shown = paragraphs(self.text).replace("\n", "\n\n")
            yield Static(safe(shown, multiline=True), markup=False)
            yield Static(Text("Enter goes on; l shows this again.", "dim"))

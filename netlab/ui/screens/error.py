"""A scenario that cannot be opened: its error, shown plainly."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from netlab.ui.text import safe


class ErrorScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,q", "dismiss", "Back", id="error.back")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="error"):
            yield Static(safe(self.title_text, "bold red"), markup=False)
            yield Static(safe(self.message, multiline=True), markup=False)
            yield Static(Text("\nEsc goes back.", "dim"), markup=False)

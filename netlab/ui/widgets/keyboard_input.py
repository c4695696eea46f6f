"""The keyboard of a program in the lab: a line typed here is what its ``input()`` or
``sys.stdin.readline()`` reads. Enter sends the line, Ctrl+D ends the program's input (what is
typed so far goes first), Esc closes the box without sending."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class KeyboardInput(Input):
    BINDINGS = [Binding("ctrl+d", "end_input", "End of input", show=False, priority=True)]

    class Typed(Message):
        """What to type into ``actor``'s keyboard (``end``: then the end of its input)."""

        def __init__(self, actor: str, text: str, end: bool) -> None:
            super().__init__()
            self.actor, self.text, self.end = actor, text, end

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.actor = ""  # whose keyboard this is, while the box is open

    def open_for(self, actor: str) -> None:
        self.actor = actor
        self.value = ""
        self.placeholder = f"a line for {actor}: Enter sends it, Ctrl+D ends its input, Esc closes"
        self.display = True
        self.focus()

    def _on_input_submitted(self, message: Input.Submitted) -> None:
        message.stop()
        self.post_message(self.Typed(self.actor, self.value + "\n", end=False))

    def action_end_input(self) -> None:
        self.post_message(self.Typed(self.actor, self.value, end=True))

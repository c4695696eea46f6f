"""What a screen or the command palette asks of the app."""

from __future__ import annotations

from textual.message import Message


class OpenScenario(Message):
    """Open the scenario ``ref`` (a name or a path) in a lab, in place of the lab open now."""

    def __init__(self, ref: str) -> None:
        super().__init__()
        self.ref = ref

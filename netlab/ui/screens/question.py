"""Predict, then see: a question asked before a call, and what the call did.

``QuestionScreen`` asks (a key per choice; Esc skips and the lab goes on without asking);
``RevealScreen`` shows, once the call has run, whether the prediction held, what the kernel
did, and why.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from netlab.core.questions import Question
from netlab.ui.text import safe


class QuestionScreen(ModalScreen[str | None]):
    """The question and its choices; dismissed with the key of the choice (None: skipped)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Skip", id="question.skip")]

    def __init__(self, actor: str, question: Question) -> None:
        super().__init__()
        self.actor = actor
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="question"):
            heading = Text("Predict: ", "bold")
            heading.append_text(safe(f"{self.actor} is about to make its next call.", "bold"))
            yield Static(heading, markup=False)
            yield Static(safe(self.question.text, multiline=True), markup=False)
            for key, text in self.question.choices:
                line = Text(f"  {key}  ", "bold reverse")
                line.append(" ")
                line.append_text(safe(text))
                yield Static(line, markup=False)
            keys = "/".join(key for key, _ in self.question.choices)
            yield Static(Text(f"Press {keys} to answer; Esc skips the question.", "dim"))

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.lower() in dict(self.question.choices):
            event.stop()
            self.dismiss(event.character.lower())


class RevealScreen(ModalScreen[None]):
    """Whether the prediction held, what the call did (from the event log), and why."""

    BINDINGS = [Binding("escape,enter", "dismiss", "Go on", id="reveal.close")]

    def __init__(self, question: Question, chosen: str, happened: str) -> None:
        super().__init__()
        self.question, self.chosen, self.happened = question, chosen, happened

    def compose(self) -> ComposeResult:
        question, chosen = self.question, self.chosen
        right = chosen == question.answer
        with Vertical(id="reveal"):
            verdict = ("✓ Your prediction held.", "bold green")
            yield Static(Text(*verdict) if right else Text("✗ Not this time.", "bold red"))
            said = Text("You said: ")
            said.append_text(safe(f"{chosen}) {question.choice(chosen)}"))
            yield Static(said, markup=False)
            if not right:
                answer = Text("The answer: ")
                answer.append_text(safe(f"{question.answer}) {question.choice(question.answer)}"))
                yield Static(answer, markup=False)
            did = Text("What happened: ", "bold")
            did.append_text(safe(self.happened))
            yield Static(did, markup=False)
            if question.why:
                why = Text("Why: ", "bold")
                why.append_text(safe(question.why, multiline=True))
                yield Static(why, markup=False)
            yield Static(Text("Enter goes on.", "dim"))

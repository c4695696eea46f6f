"""Predict, then see: a question a scenario asks before a call (``ctx.ask``), its answer and why.

A question travels as a narration event (``note``, op ``ask``) whose ``extra`` holds the choices,
the answer, the why and what reveals it, so a recording keeps it and every view that shows
narration shows it. What a recording says is checked by the same rules as what a scenario
writes: a question that breaks them is only a note.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from netlab.core import events as ev
from netlab.core.events import Event

ASK = "ask"  # the op of a question's note event
KEYS = string.ascii_lowercase  # the keys choices are given by default: a, b, c ...
MAX_CHOICES = 6
# What shows whether the prediction held: how the actor's next call ended, or the next line
# it prints (for a question about what a loop of calls comes to).
CALL, PRINT = "call", "print"
EXTRA_KEYS = ("choices", "answer", "why", "reveal")  # what a question's event keeps in extra


@dataclass(frozen=True)
class Question:
    text: str
    choices: tuple[tuple[str, str], ...]  # (key, text), in the order shown
    answer: str  # the key of the right choice
    why: str
    reveal: str = CALL

    def choice(self, key: str) -> str:
        return dict(self.choices).get(key, "")

    def to_extra(self) -> dict[str, Any]:
        return {
            "choices": [list(pair) for pair in self.choices],
            "answer": self.answer,
            "why": self.why,
            "reveal": self.reveal,
        }

    def lines(self) -> list[str]:
        """The question and its choices, as narration prints them."""
        return [f"? {self.text}", *(f"  {key}) {text}" for key, text in self.choices)]

    def answer_text(self) -> str:
        """``b) the choice. Why it is so.``"""
        return f"{self.answer}) {self.choice(self.answer)}. {self.why}".rstrip()


def make(
    text: str,
    choices: Sequence[str] | Mapping[str, str],
    answer: str,
    why: str = "",
    reveal: str = CALL,
) -> Question:
    """A question as a scenario writes it; a mistake in it is a ValueError that says which.

    ``choices`` is a list (given the keys a, b, c ...) or a dict of one-character keys to texts;
    ``answer`` is the right choice's key (or its text)."""
    if isinstance(choices, Mapping):
        pairs = [(str(key).lower(), str(value)) for key, value in choices.items()]
    elif isinstance(choices, Sequence) and not isinstance(choices, str):
        pairs = list(zip(KEYS, (str(value) for value in choices), strict=False))
    else:
        raise ValueError("ctx.ask(..., choices): a list of answers, or a dict of key to answer")
    by_text = {value: key for key, value in pairs}
    answer = str(answer)
    right = answer.lower() if answer.lower() in dict(pairs) else by_text.get(answer, answer)
    return _checked(text, pairs, right, why, reveal)


def _checked(
    text: Any, pairs: list[tuple[str, str]], answer: str, why: Any, reveal: Any
) -> Question:
    """The one set of rules, for a question written and for one read from a recording."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("ctx.ask(text, ...): the question must be a non-empty string")
    if not 2 <= len(pairs) <= MAX_CHOICES:
        raise ValueError(f"ctx.ask(..., choices): 2 to {MAX_CHOICES} choices, not {len(pairs)}")
    for key, _ in pairs:
        if len(key) != 1 or not key.isascii() or not key.isalnum() or key != key.lower():
            raise ValueError(
                f"ctx.ask(..., choices): a key is one lower-case letter or digit, not {key!r}"
            )
    if len({key for key, _ in pairs}) != len(pairs):
        raise ValueError("ctx.ask(..., choices): two choices have the same key")
    if answer not in dict(pairs):
        raise ValueError(f"ctx.ask(..., answer={answer!r}): not one of the choices' keys")
    if reveal not in (CALL, PRINT):
        raise ValueError(f"ctx.ask(..., reveal={reveal!r}): {CALL!r} or {PRINT!r}")
    return Question(text.strip(), tuple(pairs), answer, str(why).strip(), reveal)


def of(event: Event) -> Question | None:
    """The question an event asks, if it is one (read with care: a recording may lie)."""
    if event.kind != ev.NOTE or event.op != ASK:
        return None
    raw = event.extra.get("choices")
    if not isinstance(raw, (list, tuple)):
        return None
    pairs = [
        (pair[0], pair[1])
        for pair in raw
        if isinstance(pair, (list, tuple)) and len(pair) == 2 and isinstance(pair[0], str)
    ]
    if len(pairs) != len(raw) or not all(isinstance(text, str) for _, text in pairs):
        return None
    extra = event.extra
    try:
        return _checked(
            event.text,
            pairs,
            str(extra.get("answer")),
            extra.get("why", ""),
            extra.get("reveal", CALL),
        )
    except ValueError:
        return None

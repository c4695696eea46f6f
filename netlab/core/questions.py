"""Predict, then see: a question a scenario asks before a call (``ctx.ask``), its answer and why.

A question travels as a narration event (``note``, op ``ask``) whose ``extra`` holds the choices,
the answer and the why, so a recording keeps it and every view that shows narration shows it.
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


@dataclass(frozen=True)
class Question:
    text: str
    choices: tuple[tuple[str, str], ...]  # (key, text), in the order shown
    answer: str  # the key of the right choice
    why: str

    def choice(self, key: str) -> str:
        return dict(self.choices).get(key, "")

    def to_extra(self) -> dict[str, Any]:
        return {
            "choices": [list(pair) for pair in self.choices],
            "answer": self.answer,
            "why": self.why,
        }

    def lines(self) -> list[str]:
        """The question and its choices, as narration prints them."""
        return [f"? {self.text}", *(f"  {key}) {text}" for key, text in self.choices)]

    def answer_text(self) -> str:
        """``b) the choice. Why it is so.``"""
        return f"{self.answer}) {self.choice(self.answer)}. {self.why}".rstrip()


def make(
    text: str, choices: Sequence[str] | Mapping[str, str], answer: str, why: str = ""
) -> Question:
    """A question as a scenario writes it; a mistake in it is a ValueError that says which.

    ``choices`` is a list (given the keys a, b, c ...) or a dict of one-character keys to texts;
    ``answer`` is the right choice's key (or its text)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("ctx.ask(text, ...): the question must be a non-empty string")
    if isinstance(choices, Mapping):
        pairs = [(str(key), str(value)) for key, value in choices.items()]
    elif isinstance(choices, Sequence) and not isinstance(choices, str):
        pairs = list(zip(KEYS, (str(value) for value in choices), strict=False))
    else:
        raise ValueError("ctx.ask(..., choices): a list of answers, or a dict of key to answer")
    if not 2 <= len(pairs) <= MAX_CHOICES:
        raise ValueError(f"ctx.ask(..., choices): 2 to {MAX_CHOICES} choices, not {len(pairs)}")
    for key, _ in pairs:
        if len(key) != 1 or not key.isascii() or not key.isalnum():
            raise ValueError(f"ctx.ask(..., choices): a key is one letter or digit, not {key!r}")
    if len({key for key, _ in pairs}) != len(pairs):
        raise ValueError("ctx.ask(..., choices): two choices have the same key")
    by_text = {value: key for key, value in pairs}
    right = answer if answer in dict(pairs) else by_text.get(answer)
    if right is None:
        raise ValueError(f"ctx.ask(..., answer={answer!r}): not one of the choices' keys")
    return Question(text.strip(), tuple(pairs), right, str(why).strip())


def of(event: Event) -> Question | None:
    """The question an event asks, if it is one (read with care: a recording may lie)."""
    if event.kind != ev.NOTE or event.op != ASK:
        return None
    raw = event.extra.get("choices")
    if not isinstance(raw, (list, tuple)) or not raw:
        return None
    pairs = tuple(
        (str(pair[0]), str(pair[1]))
        for pair in raw[:MAX_CHOICES]
        if isinstance(pair, (list, tuple)) and len(pair) == 2
    )
    answer = str(event.extra.get("answer", ""))
    if not pairs or answer not in dict(pairs):
        return None
    return Question(event.text, pairs, answer, str(event.extra.get("why", "")))

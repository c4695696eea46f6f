"""Predict, then see, as the lab screen follows a lab: the questions waiting to be asked, and
each answered one waiting for its call's outcome to be revealed. Plain logic over events."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from netlab.core import events as ev
from netlab.core import questions
from netlab.core.events import Event
from netlab.core.questions import Question


@dataclass
class Asked:
    actor: str
    question: Question
    call: Event | None = None  # the actor's next call: the one the question is about
    outcome: Event | None = None  # how that call ended (return or raise), or the line printed
    chosen: str | None = None  # the learner's answer (None: not answered yet)


@dataclass(frozen=True)
class Reveal:
    question: Question
    chosen: str
    outcome: Event

    @property
    def right(self) -> bool:
        return self.chosen == self.question.answer


class Predictions:
    def __init__(self) -> None:
        self.to_ask: deque[Asked] = deque()
        self._following: list[Asked] = []  # asked or to be asked, until their call has ended

    def see(self, event: Event) -> list[Reveal]:
        """Follow one more event of the log; what can now be revealed."""
        question = questions.of(event)
        if question is not None:
            asked = Asked(event.actor, question)
            self.to_ask.append(asked)
            self._following.append(asked)
            return []
        for asked in self._following:
            if asked.actor != event.actor or asked.outcome is not None:
                continue
            if asked.question.reveal == questions.PRINT:
                if event.kind == ev.OUTPUT and event.op == "stdout":
                    asked.outcome = event
            elif asked.call is None and event.kind == ev.CALL:
                asked.call = event
            elif asked.call is not None and _ends(asked.call, event):
                asked.outcome = event
        return self._ready()

    def answered(self, asked: Asked, chosen: str | None) -> list[Reveal]:
        """The learner's answer (None: skipped, nothing to reveal)."""
        if chosen is None:
            self._following.remove(asked)
            return []
        asked.chosen = chosen
        return self._ready()

    def _ready(self) -> list[Reveal]:
        ready = [a for a in self._following if a.chosen is not None and a.outcome is not None]
        for asked in ready:
            self._following.remove(asked)
        return [Reveal(a.question, a.chosen, a.outcome) for a in ready]  # type: ignore[arg-type]


def _ends(call: Event, event: Event) -> bool:
    """Whether ``event`` is how ``call`` ended: a return or raise of the same call (a compound
    call ends after the calls made inside it)."""
    return (
        event.kind in (ev.RETURN, ev.RAISE)
        and event.op == call.op
        and bool(event.extra.get("compound")) == bool(call.extra.get("compound"))
    )

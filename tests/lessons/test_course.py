"""Every lesson of the course: listed in its chapter, with a lesson text that fits the screen, at
least one question, the exit code it intends, and the same trace every run."""

from __future__ import annotations

import textwrap
import time

import pytest

from netlab.core import course
from netlab.core import events as ev
from netlab.core.conductor import Conductor
from netlab.core.describe import event_text
from netlab.core.explain import explain
from netlab.headless import EXIT_CODES
from netlab.ui.predictions import Predictions, Reveal
from tests.golden.traces import normalise
from tests.lessons.course_runs import asked, fresh_run, run_lesson

pytestmark = pytest.mark.timeout(60)

LESSONS = {lesson.name: lesson for lesson in course.lessons()}


def revealed(conductor: Conductor) -> list[Reveal]:
    """What the lab shows after each question, each answered as its answer says."""
    follow, shown = Predictions(), []
    for event in conductor.events:
        shown += follow.see(event)
        while follow.to_ask:
            waiting = follow.to_ask.popleft()
            shown += follow.answered(waiting, waiting.question.answer)
    return shown


def test_every_chapter_lesson_exists() -> None:
    listed = [name for _, names in course.CHAPTERS for name in names]
    assert len(listed) == len(set(listed))
    missing = [name for name in listed if name not in LESSONS]
    assert not missing, f"lessons the course lists but scenarios/ lacks: {missing}"


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_a_lesson_fits_asks_explains_and_runs_quickly_the_same_every_run(name: str) -> None:
    lesson = LESSONS[name]
    assert lesson.summary and len(lesson.summary) <= 100
    assert lesson.text, f"{name}: no lesson text (the docstring after its first line)"
    lines = [
        line
        for paragraph in lesson.text.split("\n\n")
        for line in textwrap.wrap(" ".join(paragraph.split()), 76)
    ]
    assert len(lines) <= 12, "the lesson text, wrapped at 76 columns, fits at 80×24"
    started = time.perf_counter()
    first = fresh_run(name)
    took = time.perf_counter() - started
    # About 2 s at most on a quiet machine (the note has the figures); a loaded one is slower.
    assert took < 10.0, f"{name} took {took:.1f} s"
    assert first.outcome is not None
    assert EXIT_CODES.get(first.outcome.kind, 1) == 0, first.outcome  # every lesson completes
    assert asked(first), f"{name}: no ctx.ask() question"
    assert len(revealed(first)) == len(asked(first)), "every question is revealed"
    second = run_lesson(name)  # another run (the one the lesson's own tests read)
    assert normalise(first.events) == normalise(second.events), "the same trace every run"
    for event in first.events:  # every error the lesson raises is explained in full
        if event.kind == ev.RAISE:
            assert "What it means:" in explain(event), (event.op, event.error)


def test_the_trace_of_a_question_names_its_choices_and_answer() -> None:
    conductor = run_lesson("tcp-echo")
    question = asked(conductor)[0]
    assert question.answer in dict(question.choices)
    assert any(event_text(e).startswith("asks:") for e in conductor.events)

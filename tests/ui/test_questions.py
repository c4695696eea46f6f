"""Predict, then see, in the lab: a lesson stops before the call it asks about, asks, runs the
call and shows whether the prediction held; answers and finished lessons are kept; the lesson's
text opens with it. On a live lab (real sockets) and on a replay."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from netlab.core.progress import Progress
from netlab.headless import run_headless
from netlab.ui.app import NetlabApp
from netlab.ui.screens.lab import LabScreen
from netlab.ui.screens.lesson import LessonScreen
from netlab.ui.screens.question import QuestionScreen, RevealScreen
from tests.ui.conftest import wait_for

pytestmark = pytest.mark.timeout(60)


def screen_text(app: NetlabApp) -> str:
    return "\n".join(str(widget.render()) for widget in app.screen.query("Static"))


async def step_until(pilot, app: NetlabApp, kind: type) -> None:  # type: ignore[no-untyped-def]
    """Space until a screen of ``kind`` is on top (each step waits for the lab to answer)."""
    for _ in range(60):
        if isinstance(app.screen, kind):
            return
        lab = app.screen
        assert isinstance(lab, LabScreen), f"unexpected screen {app.screen!r}"
        before = len(lab.timeline.events)
        await pilot.press("space")
        await wait_for(
            pilot, lambda lab=lab, before=before: len(lab.timeline.events) > before or not_lab(app)
        )
    raise AssertionError(f"no {kind.__name__} came")


def recorded(lesson: str, folder: Path) -> Path:
    """The lesson run headless (``netlab run --record``): its recording."""
    recording = folder / f"{lesson}.jsonl"
    out = io.StringIO()
    code = run_headless(
        lesson,
        seed=None,
        link=None,
        as_json=False,
        record=recording,
        time_limit=10.0,
        args={},
        out=out,
    )
    assert code == 0, out.getvalue()
    return recording


def not_lab(app: NetlabApp) -> bool:
    return not isinstance(app.screen, LabScreen)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_live_lesson_asks_then_shows_whether_the_prediction_held(
    size: tuple[int, int], tmp_path: Path
) -> None:
    app = NetlabApp(scenario="tcp-echo", questions=True)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        assert "Watch the server" in screen_text(app)  # the lesson's text, first
        await pilot.press("enter")
        await step_until(pilot, app, QuestionScreen)
        asking = app.screen
        assert isinstance(asking, QuestionScreen) and asking.actor == "client-1"
        assert "What does this recv(1024) return?" in screen_text(app)
        lab = app.screen_stack[-2]
        assert isinstance(lab, LabScreen)
        # Stopped before the call: it is announced, not carried out.
        assert lab.timeline.events[-1].kind == "call" and lab.timeline.events[-1].op == "recv"
        await pilot.press("space")  # not an answer: the question stays
        assert isinstance(app.screen, QuestionScreen)
        await pilot.press("b")  # a wrong prediction
        await step_until(pilot, app, RevealScreen)
        shown = screen_text(app)
        assert "Not this time" in shown and "The answer: a) all of the echo" in shown
        assert "client-1 at 0.000s: recv(1024) -> b'hello from client-1'" in shown  # what happened
        await pilot.press("enter")
        assert isinstance(app.screen, LabScreen)
        await pilot.press("e")  # to the end: finished
        await wait_for(pilot, lambda: lab.source.finished and lab._announced_end)
        await pilot.press("q")
    kept = Progress().of("tcp-echo")
    assert kept.finished and list(kept.answers.values()) == [False]


async def test_playing_stops_at_a_question_and_a_skipped_one_reveals_nothing() -> None:
    app = NetlabApp(scenario="tcp-echo", questions=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        await pilot.press("enter")
        lab = app.screen
        assert isinstance(lab, LabScreen)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, QuestionScreen))
        assert not lab.playing and not lab.source.playing
        assert lab.timeline.events[-1].op == "recv"  # the call asked about has not run
        await pilot.press("escape")  # skipped
        assert isinstance(app.screen, LabScreen)
        await pilot.press("e")
        await wait_for(pilot, lambda: lab._announced_end)
        await pilot.pause(0.2)
        assert isinstance(app.screen, LabScreen)  # nothing to reveal
        await pilot.press("q")
    assert Progress().of("tcp-echo").answers == {}


async def test_a_replayed_lesson_asks_too(tmp_path: Path) -> None:
    app = NetlabApp(recording=recorded("udp-echo", tmp_path), questions=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        await pilot.press("enter")
        await step_until(pilot, app, QuestionScreen)
        await pilot.press("a")
        await step_until(pilot, app, RevealScreen)
        assert "Your prediction held" in screen_text(app)


async def test_without_questions_nothing_is_asked() -> None:
    app = NetlabApp(scenario="tcp-echo")
    async with app.run_test(size=(80, 24)) as pilot:
        lab = app.screen
        assert isinstance(lab, LabScreen)
        await pilot.press("e")  # at full speed: a question would stop it
        await wait_for(pilot, lambda: lab._announced_end, timeout=20)
        assert isinstance(app.screen, LabScreen)
        await pilot.press("q")


async def test_questions_and_answers_come_one_at_a_time_each_answer_after_its_question(
    tmp_path: Path,
) -> None:
    app = NetlabApp(recording=recorded("reset", tmp_path), questions=True)
    shown: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        await pilot.press("enter", "e")  # to the end at once: every question waits its turn
        for _ in range(12):
            await pilot.pause()
            screen = app.screen
            if isinstance(screen, QuestionScreen):
                shown.append(f"Q {screen.question.text[:20]}")
                await pilot.press("a")
            elif isinstance(screen, RevealScreen):
                shown.append(f"R {screen.question.text[:20]}")
                await pilot.press("enter")
            else:
                break
    assert len(shown) == 6, shown
    assert [s[0] for s in shown] == ["Q", "R"] * 3
    assert all(q[2:] == r[2:] for q, r in zip(shown[::2], shown[1::2], strict=True))


async def test_ctrl_c_at_a_question_quits_and_stops_the_lab() -> None:
    app = NetlabApp(scenario="tcp-echo", questions=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LessonScreen))
        await pilot.press("ctrl+c")  # on the lesson's card
        await wait_for(pilot, lambda: not app.is_running)
    assert not app.is_running

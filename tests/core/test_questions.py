"""Questions as a scenario writes them, as a recording carries them, and as the lab follows
them (asked, answered, revealed when the call asked about has ended); progress kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netlab.core import events as ev
from netlab.core import questions
from netlab.core.events import Event
from netlab.core.progress import Progress
from netlab.core.scenario import ActorContext, ScenarioError
from netlab.ui.predictions import Predictions


def ask_event(seq: int = 1, actor: str = "client", **extra: object) -> Event:
    made = questions.make("What does recv return?", ["all", "part", "nothing"], "a", "why")
    return Event(
        seq, ev.NOTE, actor, op=questions.ASK, text=made.text, extra=made.to_extra() | extra
    )


@pytest.mark.parametrize(
    ("choices", "answer", "key"),
    [
        (["one", "two"], "b", "b"),
        (["one", "two"], "two", "b"),  # the answer by its text
        ({"1": "one", "2": "two", "3": "three"}, "3", "3"),
        ({"A": "one", "B": "two"}, "B", "b"),  # keys as a keyboard gives them
    ],
)
def test_a_question_as_written(choices: object, answer: str, key: str) -> None:
    made = questions.make("Which?", choices, answer, " because ")  # type: ignore[arg-type]
    assert made.answer == key and made.why == "because"
    assert made.lines()[0] == "? Which?"


@pytest.mark.parametrize(
    ("text", "choices", "answer", "said"),
    [
        ("", ["a", "b"], "a", "non-empty"),
        ("Q?", ["only one"], "a", "2 to 6 choices"),
        ("Q?", ["a"] * 7, "a", "2 to 6 choices"),
        ("Q?", ["x", "y"], "z", "not one of the choices"),
        ("Q?", {"ab": "x", "c": "y"}, "c", "one lower-case letter or digit"),
        ("Q?", {"é": "x", "c": "y"}, "c", "one lower-case letter or digit"),
        ("Q?", "xy", "x", "a list of answers"),
    ],
)
def test_a_mistake_in_a_question_is_a_scenario_error_that_says_which(
    text: str, choices: object, answer: str, said: str
) -> None:
    ctx = ActorContext("client", 1, "127.0.0.1", [1])
    with pytest.raises(ScenarioError, match=said):
        ctx.ask(text, choices, answer)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "extra",
    [
        {"choices": "abc"},
        {"choices": [["a"]], "answer": "a"},
        {"choices": [["a", "x"], ["b", "y"]], "answer": "z"},
        {"choices": [{"a": 1}], "answer": "a"},
        {"choices": [["\x1b]0;x\x07", "x"], ["b", "y"]], "answer": "b"},  # a key is one letter
        {"choices": [["A", "x"], ["b", "y"]], "answer": "b"},
        {"choices": [["a", "x"], ["a", "y"]], "answer": "a"},
        {"choices": [["a", 1], ["b", "y"]], "answer": "a"},
        {"choices": [["a", "x"], ["b", "y"]], "answer": "a", "reveal": "later"},
        {},
    ],
)
def test_a_recorded_question_that_makes_no_sense_is_only_a_note(extra: dict) -> None:
    event = Event(1, ev.NOTE, "c", op=questions.ASK, text="Q?", extra=extra)
    assert questions.of(event) is None


def test_the_reveal_waits_for_the_answer_and_for_the_call_asked_about_to_end() -> None:
    follow = Predictions()
    assert follow.see(ask_event(1)) == []
    asked = follow.to_ask.popleft()
    follow.see(Event(2, ev.CALL, "client", op="recv"))
    follow.see(Event(3, ev.BLOCK, "client", op="recv"))
    follow.see(Event(4, ev.RETURN, "server", op="recv"))  # another actor's
    assert follow.answered(asked, "b") == []  # answered; the call has not ended
    [reveal] = follow.see(Event(5, ev.RETURN, "client", op="recv", result=b"hi"))
    assert reveal.chosen == "b" and not reveal.right and reveal.outcome.seq == 5
    assert follow.see(Event(6, ev.RETURN, "client", op="recv")) == []  # revealed once


def test_a_compound_call_is_revealed_when_it_ends_not_at_the_calls_inside_it() -> None:
    follow = Predictions()
    follow.see(ask_event(1))
    asked = follow.to_ask.popleft()
    follow.answered(asked, "a")
    compound = {"compound": True}
    follow.see(Event(2, ev.CALL, "client", op="create_connection", extra=compound))
    assert follow.see(Event(3, ev.RETURN, "client", op="socket")) == []
    assert follow.see(Event(4, ev.RETURN, "client", op="connect")) == []
    [reveal] = follow.see(Event(5, ev.RETURN, "client", op="create_connection", extra=compound))
    assert reveal.right


def test_an_answer_given_after_the_call_ended_is_revealed_at_once() -> None:
    follow = Predictions()
    follow.see(ask_event(1))
    follow.see(Event(2, ev.CALL, "client", op="connect"))
    follow.see(Event(3, ev.RAISE, "client", op="connect", errno=111))
    [reveal] = follow.answered(follow.to_ask.popleft(), "c")
    assert reveal.outcome.kind == ev.RAISE


def test_a_question_about_a_loop_is_revealed_by_the_next_line_printed() -> None:
    made = questions.make("How many arrive?", ["all", "some"], "a", reveal=questions.PRINT)
    follow = Predictions()
    follow.see(Event(1, ev.NOTE, "server", op=questions.ASK, text=made.text, extra=made.to_extra()))
    asked = follow.to_ask.popleft()
    follow.answered(asked, "a")
    assert follow.see(Event(2, ev.RETURN, "server", op="recv")) == []
    assert follow.see(Event(3, ev.OUTPUT, "server", op="stderr", text="warning")) == []
    [reveal] = follow.see(Event(4, ev.OUTPUT, "server", op="stdout", text="50 arrived"))
    assert reveal.outcome.text == "50 arrived" and reveal.right


def test_a_skipped_question_reveals_nothing() -> None:
    follow = Predictions()
    follow.see(ask_event(1))
    assert follow.answered(follow.to_ask.popleft(), None) == []
    assert follow.see(Event(2, ev.CALL, "client", op="recv")) == []
    assert follow.see(Event(3, ev.RETURN, "client", op="recv")) == []


def test_progress_is_kept_and_forgotten(tmp_path: Path) -> None:
    path = tmp_path / "netlab" / "progress.json"
    kept = Progress(path)
    kept.answered("tcp-echo", 1, True)
    kept.answered("tcp-echo", 2, False)
    Progress(path).answered("refused", 1, True)  # another lab open at the same time
    kept.finished("tcp-echo")
    again = Progress(path)
    assert again.of("tcp-echo").summary() == "✓ finished, 1 of 2 right"
    assert again.of("refused").summary() == "1 of 1 right"  # not lost by the other's save
    assert again.of("ports").summary() == ""
    again.reset()
    assert not path.exists() and Progress(path).lessons == {}


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"lessons": {"x": 5}}', "\x00"])
def test_a_damaged_progress_file_is_no_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "progress.json"
    path.write_text(content)
    kept = Progress(path)
    kept.finished("tcp-echo")  # and is written anew
    assert json.loads(path.read_text())["lessons"]["tcp-echo"]["finished"] is True


def test_progress_where_nothing_can_be_written_is_simply_not_kept(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    kept = Progress(blocker / "netlab" / "progress.json")  # a folder under a file: cannot be
    kept.finished("tcp-echo")
    assert kept.of("tcp-echo").finished


def test_progress_lives_in_the_xdg_state_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert Progress().path == tmp_path / "netlab" / "progress.json"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/ignored")
    assert Progress().path == Path.home() / ".local" / "state" / "netlab" / "progress.json"


def test_progress_keeps_any_name_a_lab_has(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    Progress(path).answered("\ud800 \x1b]0;x\x07 é", 1, True)
    assert Progress(path).of("\ud800 \x1b]0;x\x07 é").answers == {"1": True}

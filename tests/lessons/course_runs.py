"""Running a lesson headless, as a test asks: its conductor (events, outcome) and its trace."""

from __future__ import annotations

import functools
import io

from netlab.core import events as ev
from netlab.core import questions
from netlab.core.conductor import Conductor
from netlab.core.events import Event
from netlab.core.scenario import load_scenario
from netlab.headless import run_headless


def run_lesson(name: str, **kwargs: object) -> Conductor:
    """The lesson run to its end in run mode (as ``netlab run NAME``): run once for all the
    tests that only read its log (the same every run: test_course checks that)."""
    return _run_once(name) if not kwargs else fresh_run(name, **kwargs)


def fresh_run(name: str, **kwargs: object) -> Conductor:
    conductor = Conductor(load_scenario(name), **kwargs)  # type: ignore[arg-type]
    conductor.run()
    return conductor


@functools.cache
def _run_once(name: str) -> Conductor:
    return fresh_run(name)


def headless(name: str, *more: str) -> tuple[int, str]:
    """``netlab run NAME``: its exit code and what it printed."""
    out = io.StringIO()
    code = run_headless(
        name, seed=None, link=None, as_json=False, record=None, time_limit=10.0, args={}, out=out
    )
    return code, out.getvalue()


def calls(conductor: Conductor, op: str, actor: str | None = None) -> list[Event]:
    """Outcomes (return/raise) of the calls named ``op`` (by ``actor``: a name or its start)."""
    return [
        event
        for event in conductor.events
        if event.kind in (ev.RETURN, ev.RAISE)
        and event.op == op
        and (actor is None or event.actor.startswith(actor))
    ]


def printed(conductor: Conductor, actor: str | None = None) -> list[str]:
    return [
        event.text
        for event in conductor.events
        if event.kind == ev.OUTPUT and (actor is None or event.actor.startswith(actor))
    ]


def asked(conductor: Conductor) -> list[questions.Question]:
    return [q for event in conductor.events if (q := questions.of(event)) is not None]

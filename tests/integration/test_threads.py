"""Threads as lanes (DESIGN §2.1): threaded servers print what they print by hand, give one
trace every run, deliver every byte over a lossy link, and a thread's error, a daemon thread
and two threads waiting for each other end as they would by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from netlab.core import events as ev
from netlab.core.analysis import analyse
from netlab.core.conductor import COMPLETED, DEADLOCK, Conductor
from netlab.core.scenario import load_scenario
from tests.golden.traces import normalise
from tests.integration.by_hand import printed, run_by_hand

pytestmark = pytest.mark.timeout(90)
LABS = Path(__file__).parent.parent / "scenarios"
THREADED = ["threads_per_client", "threading_server", "thread_pool", "thread_sync"]


def run(path: Path, **options: object) -> Conductor:
    conductor = Conductor(load_scenario(path), time_limit=20.0, **options)  # type: ignore[arg-type]
    conductor.run()
    assert conductor.outcome is not None
    assert conductor.outcome.kind == COMPLETED, conductor.outcome.message
    return conductor


@pytest.mark.parametrize("name", THREADED)
def test_a_threaded_program_prints_what_it_prints_by_hand(name: str) -> None:
    path = LABS / f"{name}.py"
    by_hand = run_by_hand(path)
    traced = run(path)
    assert printed(traced) == by_hand
    lanes = [e for e in traced.events if e.kind == ev.ACTOR_START and "thread_of" in e.extra]
    assert lanes, "its threads are lanes of their own"
    # Named as Python names the thread: server/Thread-1, server/ThreadPoolExecutor-0_0
    assert all(e.actor.startswith(f"{e.extra['thread_of']}/") for e in lanes)


@pytest.mark.parametrize("name", THREADED)
def test_a_threaded_program_gives_one_trace_every_run(name: str) -> None:
    traces = {"\n".join(normalise(run(LABS / f"{name}.py").events)) for _ in range(4)}
    assert len(traces) == 1


@pytest.mark.parametrize("name", ["threads_per_client", "threading_server", "thread_pool"])
def test_over_a_lossy_link_every_byte_arrives_and_one_seed_gives_one_trace(name: str) -> None:
    path = LABS / f"{name}.py"
    runs = [run(path, link="lossy-wifi", seed=3) for _ in range(3)]
    assert printed(runs[0]) == run_by_hand(path)
    flows = analyse(runs[0].events).flows
    assert flows and all(f.delivered_bytes == f.sent_bytes > 0 for f in flows)
    assert runs[0].vtime > 0  # the link's delays were on the clock
    assert len({"\n".join(normalise(r.events)) for r in runs}) == 1


def test_a_thread_s_error_is_python_s_report_and_the_program_goes_on() -> None:
    traced = run(LABS / "thread_sync.py")
    errors = [e.text for e in traced.events if e.kind == ev.OUTPUT and e.op == "stderr"]
    assert errors[0] == "Exception in thread Thread-3 (fail):"
    assert errors[-1] == "ValueError: a thread's own error"
    assert not any("netlab" in line for line in errors), "no frame of netlab's own"
    ended = {e.actor: e.result for e in traced.events if e.kind == ev.ACTOR_EXIT}
    assert ended["server/Thread-3"] == "error"
    assert ended["server"] == "ok"
    assert "server/Thread-2" not in ended  # the daemon thread was still waiting: it ended unseen


def test_threads_that_wait_for_each_other_s_locks_are_a_deadlock_named_in_full() -> None:
    conductor = Conductor(load_scenario(LABS / "thread_deadlock.py"), time_limit=20.0)
    outcome = conductor.run()
    assert outcome.kind == DEADLOCK
    assert "server/Thread-1 is blocked in wait()" in outcome.message
    assert "server/Thread-2 is blocked in wait()" in outcome.message
    assert "server is blocked in join()" in outcome.message
    waits = [e.args for e in conductor.events if e.kind == ev.BLOCK and e.op == "wait"]
    assert waits == [("Lock.acquire",), ("Lock.acquire",)]


def test_a_threaded_lab_s_recording_replays_with_its_lanes(tmp_path: Path) -> None:
    from netlab.core.recording import RecordingWriter, lab_header, read_recording

    loaded = load_scenario(str(LABS / "threading_server.py"))
    conductor = Conductor(loaded)
    conductor.run()
    path = tmp_path / "lab.jsonl"
    with RecordingWriter(path, lab_header(loaded, seed=1, link=conductor.link)) as writer:
        for event in conductor.events:
            writer.write(event)
    replayed = read_recording(path).events
    assert [e.to_json() for e in replayed] == [e.to_json() for e in conductor.events]
    assert "server/Thread-1" in {e.actor for e in replayed}

"""The scheduling rules (DESIGN §2.2), checked through an in-memory fake of the actor processes:
no process starts, and each test runs in milliseconds. The expected orders are written by hand
from the rules."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from netlab.core import events as ev
from netlab.core.conductor import COMPLETED, DEADLOCK, PLAY, STEP, STOPPED, TIMEOUT, Conductor
from netlab.core.events import Event
from netlab.core.scheduler import ActorRecord, deadlock_report
from tests.core.fake_actors import Action, fake_actors, fake_lab

pytestmark = pytest.mark.timeout(10)


def run(scripts: dict[str, list[Action]], **options: Any) -> Conductor:
    conductor = Conductor(fake_lab(scripts), actors=fake_actors(scripts), **options)
    conductor.run()
    return conductor


def steps(conductor: Conductor) -> list[tuple[str, str, str, float]]:
    """(kind, actor, op, virtual time) of the calls' events, wakes and yields."""
    kinds = {ev.CALL, ev.RETURN, ev.RAISE, ev.BLOCK, ev.WAKE, ev.YIELD}
    return [(e.kind, e.actor, e.op, e.vtime) for e in conductor.events if e.kind in kinds]


def test_the_current_actor_keeps_going_until_it_blocks_then_the_next_goes() -> None:
    conductor = run(
        {
            "server": [("recv", "server#1"), ("print", "got it")],
            "client": [("send", "client#1", "server#1", 5)],
        }
    )
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    assert steps(conductor) == [
        ("call", "server", "recv", 0.0),
        ("block", "server", "recv", 0.0),
        ("call", "client", "send", 0.0),
        ("return", "client", "send", 0.0),
        ("wake", "server", "recv", 0.0),
        ("return", "server", "recv", 0.0),
    ]
    assert [e.step for e in conductor.events if e.kind == ev.RETURN] == [2, 3]


def test_one_actor_blocked_alone_is_a_deadlock_not_a_completed_lab() -> None:
    conductor = run({"receiver": [("call", "bind"), ("recv", "receiver#1")]})
    assert conductor.outcome is not None and conductor.outcome.kind == DEADLOCK
    report = next(e.text for e in conductor.events if e.kind == ev.DEADLOCK)
    assert report == "receiver is blocked in recv() on receiver#1"


def test_two_peers_both_receiving_first_deadlock_and_the_report_names_each() -> None:
    conductor = run(
        {"server": [("recv", "server#1")], "client": [("recv", "client#1")]},
    )
    assert conductor.outcome is not None and conductor.outcome.kind == DEADLOCK
    assert conductor.outcome.message == (
        "server is blocked in recv() on server#1; client is blocked in recv() on client#1; "
        "nothing can happen any more"
    )


def test_when_nobody_can_run_the_clock_jumps_to_the_first_timeout() -> None:
    conductor = run({"a": [("sleep", 2.0), ("print", "a")], "b": [("sleep", 0.5), ("print", "b")]})
    wakes = [(e.actor, e.vtime, e.result) for e in conductor.events if e.kind == ev.WAKE]
    assert wakes == [("b", 0.5, "timeout"), ("a", 2.0, "timeout")]
    outputs = [(e.actor, e.vtime) for e in conductor.events if e.kind == ev.OUTPUT]
    assert outputs == [("b", 0.5), ("a", 2.0)]


def test_timeouts_at_the_same_time_fire_in_declaration_order() -> None:
    conductor = run(
        {"first": [("sleep", 1.0)], "second": [("sleep", 1.0)], "third": [("sleep", 1.0)]}
    )
    wakes = [e.actor for e in conductor.events if e.kind == ev.WAKE]
    assert wakes == ["first", "second", "third"]


def test_a_receive_with_a_timeout_times_out_on_the_virtual_clock() -> None:
    conductor = run({"client": [("recv", "client#1", 0.5)]})
    raised = next(e for e in conductor.events if e.kind == ev.RAISE)
    assert (raised.op, raised.vtime, raised.error) == ("recv", 0.5, "TimeoutError: timed out")
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED


def test_an_actor_that_polls_lets_the_clock_move_to_the_next_timeout() -> None:
    # The poller finds nothing, gives way; the sleeper can only go on when the clock moves.
    poller: list[Action] = [("select",)] * 3
    conductor = run({"poller": poller, "sleeper": [("sleep", 2.0), ("print", "woke")]})
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    woke = next(e for e in conductor.events if e.kind == ev.OUTPUT)
    assert woke.vtime == 2.0
    yields = [e for e in conductor.events if e.kind == ev.YIELD]
    assert [e.actor for e in yields] == ["poller"] * 3


def test_a_program_polling_for_data_sees_what_a_sleeper_sends_when_the_clock_moves() -> None:
    conductor = run(
        {
            "poller": [("poll_for", "poller#1", 50)],
            "sleeper": [("sleep", 2.0), ("send", "sleeper#1", "poller#1", 4)],
        }
    )
    printed = [(e.text, e.vtime) for e in conductor.events if e.kind == ev.OUTPUT]
    assert printed == [("got 4", 2.0)]


def test_an_actor_that_gave_way_goes_after_every_actor_that_can_run() -> None:
    conductor = run(
        {
            "poller": [("select",), ("print", "poller again")],
            "worker": [("call", "bind"), ("call", "listen")],
        }
    )
    order = [(e.kind, e.actor) for e in conductor.events if e.kind in (ev.RETURN, ev.OUTPUT)]
    assert order == [
        ("return", "poller"),
        ("return", "worker"),
        ("return", "worker"),
        ("output", "poller"),
    ]


def test_many_calls_that_change_things_give_way_but_the_clock_waits_for_them() -> None:
    busy: list[Action] = [("call", "bind")] * 250
    conductor = run({"busy": busy, "sleeper": [("sleep", 1.0), ("print", "woke")]})
    yielded = next(e for e in conductor.events if e.kind == ev.YIELD)
    assert yielded.actor == "busy" and "200 calls" in yielded.text
    busy_times = {e.vtime for e in conductor.events if e.actor == "busy" and e.kind == ev.RETURN}
    assert busy_times == {0.0}  # all its work done before the sleeper's timeout
    woke = next(e for e in conductor.events if e.kind == ev.OUTPUT)
    assert woke.vtime == 1.0


def test_many_calls_that_change_nothing_are_polling_and_let_the_clock_move() -> None:
    idle: list[Action] = [("call", "getsockname")] * 250
    conductor = run({"idle": idle, "sleeper": [("sleep", 1.0), ("print", "woke")]})
    returns = [e.vtime for e in conductor.events if e.actor == "idle" and e.kind == ev.RETURN]
    assert returns[:200] == [0.0] * 200
    assert set(returns[200:]) == {1.0}  # it gave way polling: the sleeper's timeout came first


def test_actors_made_ready_together_go_in_declaration_order() -> None:
    conductor = run(
        {
            "one": [("recv", "one#1"), ("print", "one")],
            "two": [("recv", "two#1"), ("print", "two")],
            "sender": [
                ("sleep", 0.1),
                ("send", "sender#1", "two#1", 1),
                ("send", "sender#1", "one#1", 1),
            ],
        }
    )
    wakes = [e.actor for e in conductor.events if e.kind == ev.WAKE and e.result == "ready"]
    assert wakes == ["one", "two"]
    assert [e.text for e in conductor.events if e.kind == ev.OUTPUT] == ["one", "two"]


def _signature(events: list[Event]) -> list[tuple[Any, ...]]:
    return [(e.seq, e.kind, e.actor, e.op, e.vtime, e.step, e.result, e.text) for e in events]


def test_the_same_lab_gives_the_same_order_a_hundred_times() -> None:
    scripts: dict[str, list[Action]] = {
        "server": [("recv", "server#1", 1.0), ("send", "server#1", "client-1#1", 3)] * 3,
        "client-1": [("send", "client-1#1", "server#1", 3), ("recv", "client-1#1")] * 3,
        "client-2": [("select",), ("sleep", 0.25)] * 4,
    }
    first = _signature(run(scripts).events)
    assert len(first) > 40
    for _ in range(99):
        assert _signature(run(scripts).events) == first


def test_the_pace_never_changes_the_steps() -> None:
    scripts: dict[str, list[Action]] = {
        "server": [("recv", "server#1"), ("send", "server#1", "client#1", 2)],
        "client": [("send", "client#1", "server#1", 2), ("recv", "client#1")],
    }
    expected = _signature(run(scripts).events)  # running freely
    played = run(scripts, mode=PLAY, pace=0.0)  # every call waits for its grant
    assert [s[1:5] for s in _signature(played.events)] == [s[1:5] for s in expected]


def test_step_mode_carries_out_one_call_per_grant() -> None:
    scripts: dict[str, list[Action]] = {"solo": [("call", "bind"), ("call", "listen")]}
    returned = threading.Semaphore(0)
    asked = threading.Semaphore(0)

    def on_event(event: Event) -> None:
        if event.kind == ev.CALL:
            asked.release()
        elif event.kind == ev.RETURN:
            returned.release()

    conductor = Conductor(
        fake_lab(scripts), actors=fake_actors(scripts), mode=STEP, on_event=on_event
    )
    runner = threading.Thread(target=conductor.run)
    runner.start()
    try:
        for _ in range(2):
            assert asked.acquire(timeout=5), "the call was never announced"
            assert not returned.acquire(timeout=0.05), "a call went on without its grant"
            conductor.step()
            assert returned.acquire(timeout=5), "the granted call did not return"
    finally:
        runner.join(timeout=5)
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED


def test_stop_from_another_thread_ends_a_lab_waiting_for_its_grant() -> None:
    scripts: dict[str, list[Action]] = {"solo": [("call", "bind")]}
    conductor = Conductor(fake_lab(scripts), actors=fake_actors(scripts), mode=STEP)
    runner = threading.Thread(target=conductor.run)
    runner.start()
    conductor.stop()
    runner.join(timeout=5)
    assert not runner.is_alive()
    assert conductor.outcome is not None and conductor.outcome.kind == STOPPED
    assert conductor.events[-1].kind == ev.END


def test_a_poller_alone_with_nothing_to_come_sees_time_pass_in_steps() -> None:
    conductor = run({"poller": [("poll_for", "poller#1", 5)]})
    selects = [e.vtime for e in conductor.events if e.kind == ev.RETURN]
    assert selects == pytest.approx([0.0, 0.0, 0.001, 0.002, 0.003])


def test_the_clock_waits_while_a_blocked_actor_s_thread_works() -> None:
    # The thread sends after three questions; the reader's 1 s timeout must not come first.
    conductor = run(
        {
            "server": [("work", 3, "client#1", 5), ("sleep", 5.0)],
            "client": [("recv", "client#1", 1.0), ("print", "got it")],
        }
    )
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    got = next(e for e in conductor.events if e.kind == ev.RETURN and e.actor == "client")
    assert (got.op, got.vtime) == ("recv", 0.0)
    assert not [e for e in conductor.events if e.kind == ev.RAISE]
    slept = next(e for e in conductor.events if e.kind == ev.WAKE and e.actor == "server")
    assert (slept.result, slept.vtime) == ("timeout", 5.0)


def test_every_actor_blocked_while_a_thread_works_is_not_a_deadlock() -> None:
    conductor = run(
        {
            "server": [("work", 3, "client#1", 2), ("recv", "server#1"), ("print", "done")],
            "client": [("recv", "client#1"), ("send", "client#1", "server#1", 1)],
        }
    )
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    assert [e.text for e in conductor.events if e.kind == ev.OUTPUT] == ["done"]


def test_a_sleeping_thread_that_ends_after_making_a_peer_ready_is_no_deadlock() -> None:
    # The reader is asked first in each round; the thread (alive, asleep) makes it ready while
    # its own actor answers, after the reader said "not ready". Only a round after the last one
    # that saw work can tell that nothing is at work any more: the reader then goes on, and
    # the deadlock, when it comes, is the server's alone.
    conductor = run(
        {
            "client": [("recv", "client#1"), ("print", "got it")],
            "server": [("work", 2, "client#1", 2, "asleep"), ("recv", "server#1")],
        }
    )
    assert [e.text for e in conductor.events if e.kind == ev.OUTPUT] == ["got it"]
    assert conductor.outcome is not None and conductor.outcome.kind == DEADLOCK
    report = next(e.text for e in conductor.events if e.kind == ev.DEADLOCK)
    assert report == "server is blocked in recv() on server#1"


@pytest.mark.parametrize("asleep", [(), ("asleep",)], ids=["running", "asleep"])
def test_work_that_never_ends_ends_the_lab_at_its_time_limit_naming_it(asleep: tuple[str]) -> None:
    scripts: dict[str, list[Action]] = {
        "server": [("work", -1, "client#1", 1, *asleep), ("recv", "server#1")],
        "client": [("recv", "client#1")],
    }
    conductor = run(scripts, time_limit=0.2)
    assert conductor.outcome is not None
    assert conductor.outcome.kind == TIMEOUT
    assert conductor.outcome.message.endswith(
        "work outside the traced calls went on: server (thread worker)"
    )


def test_when_the_work_ends_the_clock_moves_on_to_what_is_due() -> None:
    # The thread sends nothing anyone waits for; then the timeouts fire, in their order.
    conductor = run(
        {
            "server": [("work", 2, "nobody#1", 1), ("sleep", 1.0), ("print", "slept")],
            "client": [("recv", "client#1", 2.0)],
        }
    )
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    wakes = [(e.actor, e.vtime) for e in conductor.events if e.kind == ev.WAKE]
    assert wakes == [("server", 1.0), ("client", 2.0)]


def test_a_deadlock_report_names_each_call_its_socket_and_what_could_not_be_sent() -> None:
    blocked = [
        ActorRecord("server", 0, blocked_op="recv", blocked_sock="server#2"),
        ActorRecord("client", 1, blocked_op="sleep"),
    ]
    assert deadlock_report(blocked, {"server": 5}) == (
        "server is blocked in recv() on server#2 with 5 bytes it cannot send; "
        "client is blocked in sleep()"
    )
    assert deadlock_report(blocked) == (
        "server is blocked in recv() on server#2; client is blocked in sleep()"
    )


def test_pollers_see_time_pass_only_from_their_second_idle_round() -> None:
    # After the bind (a change) the first select is no poll; the second gives way, and that
    # first idle round moves nothing; the third gives way again, and the clock moves 1 ms.
    conductor = run({"poller": [("call", "bind"), ("poll_for", "poller#1", 4)]})
    selects = [e.vtime for e in conductor.events if e.kind == ev.RETURN and e.op == "select"]
    assert selects == pytest.approx([0.0, 0.0, 0.0, 0.001])


# -- threads as lanes ---------------------------------------------------------------------------


def test_a_started_thread_runs_as_a_lane_once_the_runnable_before_it_have_gone() -> None:
    conductor = run(
        {
            "server": [
                ("thread", "Thread-1", [("print", "in the thread"), ("recv", "server#2")]),
                ("recv", "server#1"),
                ("print", "server again"),
            ],
            "client": [
                ("print", "client"),
                ("send", "c#1", "server#2", 3),
                ("send", "c#1", "server#1", 3),
            ],
        }
    )
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    # The client could run from the start, the thread only once started: the client first.
    lines = [(e.actor, e.text) for e in conductor.events if e.kind == ev.OUTPUT]
    assert lines == [
        ("client", "client"),
        ("server/Thread-1", "in the thread"),
        ("server", "server again"),
    ]
    started = [e for e in conductor.events if e.kind == ev.ACTOR_START]
    assert [(e.actor, e.extra.get("thread_of")) for e in started][-1] == (
        "server/Thread-1",
        "server",
    )


def test_a_join_waits_for_the_lane_and_the_clock_moves_for_its_sleep() -> None:
    conductor = run(
        {
            "server": [
                ("thread", "Thread-1", [("sleep", 1.0)]),
                ("join", "Thread-1"),
                ("print", "joined"),
            ]
        }
    )
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    joined = next(e for e in conductor.events if e.kind == ev.RETURN and e.op == "join")
    assert joined.vtime == 1.0
    assert ("wake", "server", "join", 1.0) in steps(conductor)


def test_a_lane_s_error_ends_the_lane_not_the_lab() -> None:
    conductor = run(
        {"server": [("thread", "Thread-1", [("fail",)]), ("join", "Thread-1"), ("print", "on")]}
    )
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    exits = {e.actor: e.result for e in conductor.events if e.kind == ev.ACTOR_EXIT}
    assert exits == {"server/Thread-1": "error", "server": "ok"}


def test_lanes_still_waiting_when_their_actor_ends_end_with_it_not_in_a_deadlock() -> None:
    # A daemon thread blocked for ever: the process ends, and the thread with it.
    conductor = run({"server": [("thread", "Thread-1", [("recv", "server#9")]), ("sleep", 0.5)]})
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED


def test_a_deadlock_names_every_blocked_lane() -> None:
    conductor = run(
        {"server": [("thread", "Thread-1", [("recv", "server#9")]), ("join", "Thread-1")]}
    )
    assert conductor.outcome is not None and conductor.outcome.kind == DEADLOCK
    report = next(e.text for e in conductor.events if e.kind == ev.DEADLOCK)
    assert report == "server is blocked in join(); server/Thread-1 is blocked in recv() on server#9"


def _printed(conductor: Conductor) -> list[str]:
    return [e.text for e in conductor.events if e.kind == ev.OUTPUT]


def test_a_program_reads_the_input_it_was_given_then_the_end_of_input() -> None:
    scripts = {"reader": [("readline",), ("readline",), ("readline",)]}
    conductor = run(scripts, typed={"reader": "one\ntwo\n"})
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    assert _printed(conductor) == ["read 'one\\n'", "read 'two\\n'", "read ''"]


def test_waiting_for_a_keyboard_nobody_types_into_is_a_deadlock_that_says_how_to_give_input() -> (
    None
):
    conductor = run({"server": [("recv", "server#1")], "reader": [("readline",)]})
    assert conductor.outcome is not None and conductor.outcome.kind == DEADLOCK
    report = next(e.text for e in conductor.events if e.kind == ev.DEADLOCK)
    assert "reader is blocked in readline(), waiting for its keyboard" in report
    assert "--input reader=TEXT or --input reader=@FILE" in report


def _typed_into(
    scripts: dict[str, list[Action]],
) -> tuple[Conductor, threading.Thread, threading.Semaphore]:
    """A lab where a person types, running in a thread; the semaphore is released each time an
    actor blocks in readline."""
    blocked = threading.Semaphore(0)
    conductor = Conductor(
        fake_lab(scripts),
        actors=fake_actors(scripts),
        keyboard=True,
        on_event=lambda e: blocked.release() if e.kind == ev.BLOCK and e.op == "readline" else None,
    )
    thread = threading.Thread(target=conductor.run)
    thread.start()
    return conductor, thread, blocked


def test_where_a_person_types_the_lab_waits_for_them_and_what_they_type_is_read() -> None:
    scripts = {
        "server": [("recv", "server#1"), ("print", "got it")],
        "reader": [("readline",), ("send", "reader#1", "server#1", 3), ("readline",)],
    }
    conductor, thread, blocked = _typed_into(scripts)
    assert blocked.acquire(timeout=5)
    conductor.type("reader", "hel")
    conductor.type("reader", "lo\n")  # the line is read once it is whole
    assert blocked.acquire(timeout=5)  # the next readline: the server has had its turn
    conductor.type("reader", "", end=True)  # Ctrl+D
    thread.join(5)
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    assert _printed(conductor) == ["read 'hello\\n'", "got it", "read ''"]


def test_stop_ends_a_lab_waiting_for_someone_to_type() -> None:
    conductor, thread, blocked = _typed_into({"reader": [("readline",)]})
    assert blocked.acquire(timeout=5)
    conductor.stop()
    thread.join(5)
    assert conductor.outcome is not None and conductor.outcome.kind == STOPPED

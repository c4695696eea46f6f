"""The scheduler never invents what a run by hand does not do: a wait that found work is not
polling (no timeout fires while a server has replies to send), actors that poll let the clock
move (a delayed segment arrives instead of a livelock), and a non-blocking connect gives the
socket its peer and its path through the link."""

from __future__ import annotations

from pathlib import Path

import pytest

from netlab.core import events as ev
from netlab.core.analysis import analyse
from netlab.core.conductor import COMPLETED, TIMEOUT, Conductor
from netlab.core.scenario import load_scenario
from tests.integration.by_hand import printed, run_by_hand

pytestmark = pytest.mark.timeout(60)
LABS = Path(__file__).parent.parent / "scenarios"
SELECTORS_TIMEOUTS = LABS / "selectors_timeouts.py"
GUIDE_MULTICONN = LABS / "guide_multiconn.py"


def run(path: Path, **options: object) -> Conductor:
    conductor = Conductor(load_scenario(path), **options)  # type: ignore[arg-type]
    conductor.run()
    assert conductor.outcome is not None
    assert conductor.outcome.kind == COMPLETED, conductor.outcome.message
    return conductor


def test_a_selectors_server_s_clients_never_time_out_as_by_hand() -> None:
    by_hand = run_by_hand(SELECTORS_TIMEOUTS)
    assert by_hand["client-1"] == ["b'CLIENT-1 0'", "b'CLIENT-1 1'", "b'CLIENT-1 2'"]
    traced = run(SELECTORS_TIMEOUTS)
    assert printed(traced) == by_hand
    assert not [e for e in traced.events if e.kind == ev.WAKE and e.result == "timeout"]


@pytest.mark.parametrize(("link", "seed"), [("lossy-wifi", 1), ("mobile-3g", 1), ("mobile-3g", 4)])
def test_the_guide_s_multiconn_pair_over_a_lossy_link_completes_and_delivers(
    link: str, seed: int
) -> None:
    traced = run(GUIDE_MULTICONN, link=link, seed=seed)
    assert sorted(printed(traced)["client"]) == [
        "connection 1: 44 bytes back",
        "connection 2: 44 bytes back",
    ]
    assert traced.vtime > 0  # the clock moved to the link's deliveries
    flows = {flow.name: flow for flow in analyse(traced.events).flows}
    assert set(flows) == {
        "TCP client#1 -> server#2",
        "TCP client#2 -> server#3",
        "TCP server#2 -> client#1",
        "TCP server#3 -> client#2",
    }
    for flow in flows.values():
        assert flow.delivered_bytes == flow.sent_bytes == 44, flow


def test_the_guide_s_multiconn_pair_prints_what_it_prints_by_hand() -> None:
    by_hand = run_by_hand(GUIDE_MULTICONN)
    traced = printed(run(GUIDE_MULTICONN))
    assert {name: sorted(lines) for name, lines in traced.items()} == {
        name: sorted(lines) for name, lines in by_hand.items()
    }


def test_a_non_blocking_connect_s_data_takes_the_link() -> None:
    traced = run(GUIDE_MULTICONN, link="mobile-3g", seed=1)
    segments = [e for e in traced.events if e.kind == ev.LINK and e.op == "segment"]
    assert {e.sock.id for e in segments if e.sock is not None} >= {"client#1", "client#2"}


WORK_OUTSIDE = LABS / "work_outside_calls.py"


def test_work_outside_traced_calls_is_waited_for_not_called_a_deadlock() -> None:
    by_hand = run_by_hand(WORK_OUTSIDE)
    assert by_hand == {
        "server": ["server heard b'bye'", "child exited with 0"],
        "client": ["b'THREAD'", "b'CHILD'"],
    }
    assert printed(run(WORK_OUTSIDE)) == by_hand


def test_work_that_never_ends_stops_at_the_time_limit_and_is_named() -> None:
    conductor = Conductor(load_scenario(LABS / "endless_worker.py"), time_limit=1.0)
    conductor.run()
    assert conductor.outcome is not None
    assert conductor.outcome.kind == TIMEOUT
    # The thread is a lane: it holds its turn, and the report names it.
    assert conductor.outcome.message == (
        "time limit of 1 s reached: server/spinner has made no socket call since it started "
        "(an endless loop?)"
    )


FORKING = LABS / "forking_server.py"


@pytest.mark.parametrize("mode", ["run", "play"])
def test_a_forked_child_neither_speaks_for_its_parent_nor_corrupts_the_channel(mode: str) -> None:
    by_hand = run_by_hand(FORKING)
    assert by_hand == {
        "server": ["child served b'hi'", "child exited with 0"],
        "client": ["b'HI'"],
    }
    traced = run(FORKING, mode=mode, pace=0.0)
    assert printed(traced) == by_hand
    server_calls = [e.op for e in traced.events if e.kind == ev.RETURN and e.actor == "server"]
    assert "recv" not in server_calls  # the child's, untraced: not shown as the parent's
    notes = [e.text for e in traced.events if e.kind == ev.NOTE]
    assert notes == ["a forked child process's calls are not traced; what it prints is shown here"]


ASYNCIO_ECHO = LABS / "asyncio_echo.py"


def test_asyncio_runs_on_the_virtual_clock_as_by_hand_and_the_same_every_run() -> None:
    from tests.golden.traces import normalise

    by_hand = run_by_hand(ASYNCIO_ECHO)
    assert by_hand == {
        "server": ["server done"],
        "client": ["b'MESSAGE 0'", "b'MESSAGE 1'", "b'MESSAGE 2'"],
    }
    runs = [run(ASYNCIO_ECHO) for _ in range(3)]
    assert printed(runs[0]) == by_hand
    heard = [e.vtime for e in runs[0].events if e.kind == ev.OUTPUT and e.actor == "client"]
    assert heard == pytest.approx([0.0, 0.3, 0.6])  # asyncio.sleep(0.3) between them
    assert len({"\n".join(normalise(r.events)) for r in runs}) == 1


def test_the_clock_waits_for_a_computing_thread_and_monotonic_stays_real() -> None:
    lab = LABS / "clock_edges.py"
    by_hand = run_by_hand(lab)
    assert by_hand == {
        "server": ["queue empty after its timeout"],
        "client": ["b'reply'", "polled until the deadline True"],
    }
    for link in ("perfect", "mobile-3g"):
        assert printed(run(lab, link=link)) == by_hand


def test_selects_that_take_turns_over_connections_still_let_the_clock_move() -> None:
    lab = LABS / "per_connection_select.py"
    by_hand = run_by_hand(lab)
    assert by_hand == {"server": [], "client": ["[b'HI', b'HI']"]}
    traced = run(lab, link="mobile-3g", seed=1)
    assert printed(traced) == by_hand
    assert traced.vtime > 0

"""The virtual clock and what is due on it; expected values worked out by hand."""

from __future__ import annotations

import pytest

from netlab.core.clock import Clock


def test_nothing_to_come_leaves_the_clock_where_it_is() -> None:
    clock = Clock()
    assert clock.advance() is None
    assert clock.now == 0.0


def test_the_clock_jumps_to_the_first_timeout_and_names_whose_it_was() -> None:
    clock = Clock()
    clock.set_timeout("a", 2.0)
    clock.set_timeout("b", 0.5)
    assert clock.advance() == {"b"}
    assert clock.now == 0.5
    assert clock.advance() == {"a"}
    assert clock.now == 2.0
    assert clock.advance() is None


def test_timeouts_count_from_when_the_call_blocked() -> None:
    clock = Clock()
    clock.set_timeout("a", 1.0)
    assert clock.advance() == {"a"}
    clock.set_timeout("a", 1.0)  # blocks again at 1.0
    assert clock.advance() == {"a"}
    assert clock.now == 2.0


def test_a_cleared_or_endless_timeout_never_fires() -> None:
    clock = Clock()
    clock.set_timeout("a", 1.0)
    clock.clear_timeout("a")
    clock.set_timeout("b", 3.0)
    clock.set_timeout("b", None)
    assert clock.advance() is None


def test_timeouts_due_together_fire_together() -> None:
    clock = Clock()
    clock.set_timeout("a", 1.0)
    clock.set_timeout("b", 1.0)
    assert clock.advance() == {"a", "b"}


def test_a_delivery_comes_before_a_timeout_at_the_same_time() -> None:
    clock = Clock()
    clock.set_timeout("reader", 0.25)
    clock.deliver(0.25, "writer", {"tx": 1}, "writer#1")
    assert clock.advance() == set()
    assert clock.now == 0.25
    assert list(clock.due()) == [("writer", [{"tx": 1}])]
    assert clock.advance() == {"reader"}


def test_what_is_due_comes_in_time_order_one_actor_at_a_time() -> None:
    clock = Clock()
    clock.deliver(0.3, "a", {"n": 3}, "a#1")
    clock.deliver(0.1, "a", {"n": 1}, "a#1")
    clock.deliver(0.2, "b", {"n": 2}, "b#1")
    clock.deliver(0.2, "b", {"n": 4}, "b#1")  # the same time: first come, first served
    assert list(clock.due()) == []
    clock.advance()
    assert clock.now == pytest.approx(0.1)
    clock.now = 0.3
    assert list(clock.due()) == [("a", [{"n": 1}]), ("b", [{"n": 2}, {"n": 4}]), ("a", [{"n": 3}])]


def test_a_close_waits_behind_the_last_data_of_its_socket() -> None:
    clock = Clock()
    clock.deliver(0.5, "a", {"n": 1}, "a#1")
    clock.deliver(0.2, "a", {"n": 2}, "a#1")
    clock.close_behind("a", {"sock": "a#1"}, "a#1")
    clock.close_behind("b", {"sock": "b#1"}, "b#1")  # nothing on the link: due now
    assert list(clock.due()) == [("b", [{"sock": "b#1"}])]
    clock.now = 0.5
    assert list(clock.due()) == [("a", [{"n": 2}, {"n": 1}, {"sock": "a#1"}])]


def test_a_timeout_before_the_first_delivery_comes_first() -> None:
    clock = Clock()
    clock.deliver(0.3, "writer", {"tx": 1}, "writer#1")
    clock.set_timeout("reader", 0.2)
    assert clock.advance() == {"reader"}
    assert clock.now == 0.2
    assert clock.advance() == set()
    assert clock.now == 0.3

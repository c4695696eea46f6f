"""Event rules not covered elsewhere: the link's counters as a recording may hold them, and how
long a text an event keeps."""

from __future__ import annotations

import pytest

from netlab.core.events import Event, cut


def event_with(extra: object) -> Event:
    return Event.from_json({"seq": 1, "kind": "link", "extra": {"counters": extra}})


@pytest.mark.parametrize(
    "counters",
    [{}, {"udp": {}}, {"udp": {"sent": 3, "dropped": 1}, "tcp": {"sent": 0}}],
    ids=["none", "empty", "two"],
)
def test_counters_as_netlab_writes_them(counters: dict[str, dict[str, int]]) -> None:
    assert event_with(counters).extra["counters"] == counters


@pytest.mark.parametrize(
    "counters",
    [
        {"udp": {"sent": "3"}},
        {"udp": {"sent": 3, "dropped": 1.0}},
        {"udp": {"sent": None}},
        {"udp": 3},
        {"udp": [1, 2]},
        {"udp": {"sent": 3}, "tcp": "x"},
        [{"sent": 3}],
        "udp",
    ],
)
def test_counters_in_another_form_are_refused(counters: object) -> None:
    with pytest.raises(ValueError, match="extra 'counters' is not as netlab writes it"):
        event_with(counters)


def test_arrivals_and_closed_sockets_are_lists() -> None:
    raw = {"seq": 1, "kind": "link", "extra": {"arrivals": [0.5, 1], "closed": ["a#1"]}}
    assert Event.from_json(raw).extra == {"arrivals": [0.5, 1], "closed": ["a#1"]}
    for extra in ({"arrivals": ["0.5"]}, {"arrivals": 0.5}, {"closed": [1]}, {"closed": "a#1"}):
        with pytest.raises(ValueError, match="is not as netlab writes it"):
            Event.from_json({"seq": 1, "kind": "link", "extra": extra})


def test_a_text_of_64_ki_characters_is_kept_whole() -> None:
    text = "a" * 65536
    assert cut(text) == text
    assert Event.from_json({"seq": 1, "kind": "output", "text": text}).text == text


def test_a_longer_text_is_cut_and_says_so() -> None:
    text = "é" * 65537
    assert cut(text) == "é" * 65536 + "... (65,537 characters in all, cut here)"
    assert Event.from_json({"seq": 1, "kind": "output", "text": text}).text == cut(text)


def test_the_wall_clock_is_kept_to_the_microsecond_and_the_virtual_one_exactly() -> None:
    event = Event(seq=1, kind="note", vtime=0.1 + 0.2, wtime=1.23456789)
    assert event.to_json() == {
        "seq": 1,
        "kind": "note",
        "vtime": 0.30000000000000004,
        "wtime": 1.234568,
    }

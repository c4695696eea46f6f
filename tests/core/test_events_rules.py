"""Event rules not covered elsewhere: the link's counters as a recording may hold them, and how
long a text an event keeps."""

from __future__ import annotations

from uuid import uuid4

import pytest

from netlab.core.events import Event, SockInfo, cut


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


# -- what a malformed event is told --------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"args": "x"}, "args must be a list"),
        ({"args": {"a": 1}}, "args must be a list"),
        ({"extra": ["compound"]}, "extra must be an object"),
        ({"text": 5}, "text and errno must be strings"),
        ({"errno": 111}, "text and errno must be strings"),
        ({"error": ["x"]}, "error must be a string"),
        ({"seq": "1"}, "seq, step and data_len must be integers"),
        ({"step": 1.0}, "seq, step and data_len must be integers"),
        ({"data_len": "5"}, "seq, step and data_len must be integers"),
        ({"source": ["a.py"]}, r"source must be \[file, line\]"),
        ({"source": ["a.py", "1"]}, r"source must be \[file, line\]"),
        ({"vtime": "0"}, "vtime and wtime must be numbers"),
        ({"wtime": None}, "vtime and wtime must be numbers"),
    ],
)
def test_a_malformed_event_is_told_what_is_wrong(fields: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=f"^{message}$"):
        Event.from_json({"seq": 1, "kind": "return", **fields})


def test_clocks_left_out_are_zero() -> None:
    event = Event.from_json({"seq": 1, "kind": "note"})
    assert (event.vtime, event.wtime) == (0.0, 0.0)


def test_an_error_too_long_for_a_screen_is_cut() -> None:
    event = Event.from_json({"seq": 1, "kind": "raise", "error": "E" * 70000})
    assert event.error == "E" * 65536 + "... (70,000 characters in all, cut here)"


@pytest.mark.parametrize("data", ["aGk*", "a Gk=", "aGk=\n"])
def test_data_that_is_not_base64_is_refused(data: str) -> None:
    with pytest.raises(ValueError):
        Event.from_json({"seq": 1, "kind": "return", "data": data, "data_len": 2})


def test_a_long_bad_name_is_quoted_in_80_characters() -> None:
    with pytest.raises(ValueError) as caught:
        Event.from_json({"seq": 1, "kind": "note", "actor": "x" * 100 + "!"})
    assert str(caught.value) == "not a valid name: '" + "x" * 61


def test_a_long_bad_detail_is_quoted_in_100_characters() -> None:
    with pytest.raises(ValueError) as caught:
        Event.from_json({"seq": 1, "kind": "link", "extra": {"counters": "y" * 200}})
    assert str(caught.value) == "extra 'counters' is not as netlab writes it: '" + "y" * 54


# -- socket snapshots ----------------------------------------------------------------------------


def snapshot(**fields: object) -> dict[str, object]:
    return {"id": "server#1", "fd": 3, "family": "AF_INET", "type": "SOCK_STREAM", **fields}


def unique_id() -> str:
    """A socket id no other test, nor an earlier run in this process, has used."""
    return f"t{uuid4().hex[:12]}#1"


def test_a_snapshot_seen_before_is_the_same_object() -> None:
    raw = snapshot(id=unique_id(), local=["127.0.0.1", 5000], peer=["127.0.0.1", 40000])
    first = SockInfo.from_json(raw)
    assert SockInfo.from_json(dict(raw)) is first
    assert first == SockInfo(raw["id"], 3, "AF_INET", "SOCK_STREAM", raw["local"], raw["peer"])


def test_snapshots_that_differ_in_any_field_are_told_apart() -> None:
    sock_id = unique_id()
    base = snapshot(id=sock_id, local=["127.0.0.1", 5000], peer=["127.0.0.1", 40000])
    variants = [
        base,
        {**base, "fd": 4},
        {**base, "family": "AF_INET6"},
        {**base, "type": "SOCK_DGRAM"},
        {**base, "local": ["127.0.0.1", 5001]},
        {**base, "peer": ["127.0.0.1", 40001]},
        {**base, "local": "ab"},
        {**base, "local": ["a", 1]},
        {**base, "peer": "ab"},
        {**base, "peer": ["a", 1]},
    ]
    for _ in range(2):
        for raw in variants:
            info = SockInfo.from_json(raw)
            assert (info.id, info.fd, info.family, info.type) == (
                raw["id"],
                raw["fd"],
                raw["family"],
                raw["type"],
            )
            assert (info.local, info.peer) == (raw["local"], raw["peer"])
            assert type(info.local) is type(raw["local"])
            assert type(info.peer) is type(raw["peer"])


def test_a_descriptor_must_be_an_integer() -> None:
    with pytest.raises(TypeError, match=r"^expected an integer, got '3'$"):
        SockInfo.from_json(snapshot(id=unique_id(), fd="3"))
    with pytest.raises(TypeError, match=r"^expected an integer, got True$"):
        SockInfo.from_json(snapshot(id=unique_id(), fd=True))


def test_an_unhashable_name_is_refused() -> None:
    # as the recording reader expects a malformed event to be: TypeError or ValueError
    for raw in (snapshot(id=["server#1"]), snapshot(family={"AF": 1})):
        with pytest.raises((TypeError, ValueError)):
            SockInfo.from_json(raw)


def test_names_never_seen_before_are_checked_and_kept() -> None:
    letters = "".join(chr(ord("a") + int(c, 16)) for c in uuid4().hex[:10])
    event = Event.from_json({"seq": 1, "kind": "call", "actor": f"a-{letters}", "op": letters})
    assert (event.actor, event.op) == (f"a-{letters}", letters)
    with pytest.raises(ValueError, match="not a valid name"):
        Event.from_json({"seq": 1, "kind": "call", "op": letters.upper()})


def test_a_name_valid_for_one_field_is_not_valid_for_another() -> None:
    # An actor may be called "AF_UNIX", a family may not be called "server-1"; neither is a
    # socket id. Each is checked against its own kind of name, whatever was seen before.
    name = f"A{uuid4().hex[:8].upper()}"
    Event.from_json({"seq": 1, "kind": "note", "actor": name})
    SockInfo.from_json(snapshot(id=unique_id(), family=name))
    with pytest.raises(ValueError, match="not a valid name"):
        SockInfo.from_json(snapshot(id=name))
    with pytest.raises(ValueError, match="not a valid name"):
        SockInfo.from_json(snapshot(id=unique_id(), family="server-1"))

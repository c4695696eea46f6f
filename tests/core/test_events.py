"""Events: every field to JSON and back, malformed ones refused, text cut to a screen's size."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netlab.core import events as ev
from netlab.core.events import Event, SockInfo

simple_addresses = st.one_of(
    st.none(), st.tuples(st.just("127.0.0.1"), st.integers(0, 65535)).map(list)
)


simple_socks = st.builds(
    SockInfo,
    id=st.from_regex(r"[a-z]{1,8}#[0-9]{1,3}", fullmatch=True),
    fd=st.integers(-1, 1000),
    family=st.sampled_from(["AF_INET", "AF_INET6"]),
    type=st.sampled_from(["SOCK_STREAM", "SOCK_DGRAM"]),
    local=simple_addresses,
    peer=simple_addresses,
)


events = st.builds(
    Event,
    seq=st.integers(1, 10**6),
    kind=st.sampled_from(sorted(ev.KINDS)),
    actor=st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
    vtime=st.floats(0, 1e6, allow_nan=False),
    step=st.integers(0, 10**5),
    op=st.sampled_from(["", "recv", "send", "accept"]),
    args=st.lists(st.one_of(st.integers(), st.text(), simple_addresses), max_size=3).map(tuple),
    result=st.one_of(st.none(), st.integers(), st.text()),
    errno=st.one_of(st.none(), st.sampled_from(["ECONNREFUSED", "EPIPE"])),
    sock=st.one_of(st.none(), simple_socks),
    data=st.one_of(st.none(), st.binary(max_size=64)),
    data_len=st.integers(0, 10**6),
    source=st.one_of(st.none(), st.tuples(st.just("lab.py"), st.integers(1, 500))),
    text=st.text(),
    wtime=st.just(0.0),
    error=st.none(),
    new_sock=st.none(),
    extra=st.dictionaries(st.sampled_from(["crc", "tx"]), st.integers(), max_size=2),
)


@given(events)
def test_an_event_survives_json_and_back(event: Event) -> None:
    again = Event.from_json(json.loads(json.dumps(event.to_json())))
    assert again.to_json() == event.to_json()


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), st.text(max_size=8)),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


addresses = st.one_of(
    st.none(),
    st.tuples(st.sampled_from(["127.0.0.1", "::1"]), st.integers(0, 65535)).map(list),
    st.just("/tmp/lab.sock"),
)


socks = st.builds(
    SockInfo,
    id=st.from_regex(r"[A-Za-z0-9_.-]{1,12}#[0-9]{1,4}", fullmatch=True),
    fd=st.integers(-1, 4096),
    family=st.sampled_from(["AF_INET", "AF_INET6", "AF_UNIX"]),
    type=st.sampled_from(["SOCK_STREAM", "SOCK_DGRAM"]),
    local=addresses,
    peer=addresses,
)


@st.composite
def full_events(draw: st.DrawFn) -> Event:
    data = draw(st.one_of(st.none(), st.binary(max_size=300)))
    return Event(
        seq=draw(st.integers(1, 10**9)),
        kind=draw(st.sampled_from(sorted(ev.KINDS))),
        actor=draw(st.from_regex(r"[A-Za-z0-9_.-]{0,20}", fullmatch=True)),
        vtime=draw(st.floats(0, 1e9, allow_nan=False, allow_infinity=False)),
        wtime=round(draw(st.floats(0, 1e5, allow_nan=False)), 6),
        step=draw(st.integers(0, 10**9)),
        op=draw(st.from_regex(r"[a-z_]{0,20}", fullmatch=True)),
        args=tuple(draw(st.lists(json_values, max_size=4))),
        result=draw(json_values),
        errno=draw(st.one_of(st.none(), st.sampled_from(["ECONNREFUSED", "EPIPE", "EAGAIN"]))),
        error=draw(st.one_of(st.none(), st.text(max_size=30))),
        sock=draw(st.one_of(st.none(), socks)),
        new_sock=draw(st.one_of(st.none(), socks)),
        data=data,
        data_len=0 if data is None else draw(st.integers(len(data), 10**7)),
        source=draw(st.one_of(st.none(), st.tuples(st.text(max_size=20), st.integers(1, 10**5)))),
        text=draw(st.text(max_size=40)),  # lone surrogates too: an actor may print them
        # Keys netlab never writes: the ones it does are checked against what it writes.
        extra=draw(st.dictionaries(st.text(max_size=6).map("x-".__add__), json_values, max_size=3)),
    )


@given(full_events())
def test_every_field_of_an_event_survives_json_text_and_back(event: Event) -> None:
    line = json.dumps(event.to_json())
    again = Event.from_json(json.loads(line))
    assert again.to_json() == event.to_json()
    assert (again.seq, again.kind, again.actor, again.vtime, again.wtime) == event[:5]
    assert (again.sock, again.new_sock, again.data, again.data_len) == (
        event.sock,
        event.new_sock,
        event.data,
        event.data_len,
    )
    assert again.text == event.text and again.error == event.error


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ({"seq": 1, "kind": "evil"}, ValueError),
        ({"kind": "call"}, KeyError),
        ({"seq": "1", "kind": "call"}, TypeError),
        ({"seq": True, "kind": "call"}, TypeError),
        ({"seq": 1, "kind": "call", "actor": "\x1b]0;x\x07"}, ValueError),
        ({"seq": 1, "kind": "call", "op": "Recv; rm"}, ValueError),
        ({"seq": 1, "kind": "call", "args": "recv"}, TypeError),
        ({"seq": 1, "kind": "return", "extra": {"crc": "bad"}}, ValueError),
        ({"seq": 1, "kind": "return", "vtime": "nan"}, TypeError),
        ({"seq": 1, "kind": "return", "source": ["f.py", "7"]}, TypeError),
        ({"seq": 1, "kind": "link", "extra": {"arrivals": 5}}, ValueError),
        ({"seq": 1, "kind": "actor-exit", "extra": {"counters": "z"}}, ValueError),
        ({"seq": 1, "kind": "call", "data": "!!not base64"}, ValueError),
        ({"seq": 1, "kind": "call", "sock": {"id": "x#1", "fd": 3}}, KeyError),
        ({"seq": 1, "kind": "call", "sock": {"id": "x", "fd": 3, "family": "AF_INET"}}, ValueError),
    ],
)
def test_malformed_events_are_refused(raw, error) -> None:
    with pytest.raises(error):
        Event.from_json(raw)


def test_a_socket_snapshot_seen_before_is_shared_but_never_a_malformed_one() -> None:
    raw = {"id": "x#1", "fd": 3, "family": "AF_INET", "type": "SOCK_STREAM", "local": ["h", 1]}
    first = SockInfo.from_json(raw)
    assert SockInfo.from_json(dict(raw)) is first
    with pytest.raises(TypeError):  # equal to 3 as a key, but not a descriptor
        SockInfo.from_json({**raw, "fd": 3.0})
    with pytest.raises(TypeError):
        SockInfo.from_json({**raw, "fd": True, "id": "x#2"})


def test_text_too_long_for_a_screen_is_cut_as_it_is_read() -> None:
    raw = {"seq": 1, "kind": "output", "actor": "a", "text": "y" * 5_000_000, "error": "e" * 10**6}
    event = Event.from_json(raw)
    assert len(event.text) < ev.TEXT_LIMIT + 100 and event.text.endswith(
        "5,000,000 characters in all, cut here)"
    )
    assert len(event.error or "") < ev.TEXT_LIMIT + 100
    data = Event.from_json({"seq": 1, "kind": "return", "data": "eHh4" * 10_000})
    assert data.data == b"x" * ev.PREVIEW_LIMIT  # a preview, whatever a recording holds

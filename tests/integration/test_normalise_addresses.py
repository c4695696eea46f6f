"""The golden traces' normaliser names the ports of IPv4 and IPv6 addresses alike, in the JSON of
an event and in printed text, and leaves other numbers alone."""

from __future__ import annotations

from netlab.core import events as ev
from netlab.core.events import Event
from tests.golden.traces import normalise


def output(text: str, args: list[object]) -> Event:
    return Event(seq=1, kind=ev.RETURN, actor="server", op="accept", args=args, text=text)


def test_the_port_of_an_ipv6_four_tuple_is_named() -> None:
    event = output(
        "connection from ('::1', 39482, 0, 0); draw 0.39482",
        [["::1", 39482, 0, 0]],
    )
    [line] = normalise([event])
    assert "39482" not in line.replace("0.39482", "")
    assert '["::1", PORT1, 0, 0]' in line
    assert "('::1', PORT1, 0, 0)" in line and "0.39482" in line


def test_the_port_of_an_ipv4_pair_is_named() -> None:
    [line] = normalise([output("from ('127.0.0.1', 40001)", [["127.0.0.1", 40001]])])
    assert '["127.0.0.1", PORT1]' in line and "('127.0.0.1', PORT1)" in line

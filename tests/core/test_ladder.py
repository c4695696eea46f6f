"""The ladder diagram's rungs, drawn from a recording."""

from __future__ import annotations

from pathlib import Path

from netlab.core.recording import (
    read_recording,
)


def test_the_ladder_draws_connections_data_and_drops() -> None:
    from netlab.core.ladder import ARROW, DROP, MARK, rungs

    path = Path(__file__).parent.parent / "ui" / "fixtures" / "tcp_vs_udp.jsonl"
    drawn = rungs(read_recording(path).events)
    assert ("client-tcp", "server-tcp", "SYN") in {(r.source, r.target, r.label) for r in drawn}
    drops = [r for r in drawn if r.kind == DROP]
    assert drops and all((r.source, r.target) == ("client-udp", "server-udp") for r in drops)
    assert any(r.kind == ARROW and r.label.endswith("lost, resent") for r in drawn)  # TCP
    assert any(r.kind == MARK and r.label == "⏸ accept()" for r in drawn)


def _sock(sock_id: str, local: int, peer: int):  # type: ignore[no-untyped-def]
    from netlab.core.events import SockInfo

    host = "127.0.0.1"
    return SockInfo(sock_id, 4, "AF_INET", "SOCK_STREAM", [host, local], [host, peer])


def _drawn(events):  # type: ignore[no-untyped-def]
    from netlab.core.ladder import rungs

    return [(r.step, r.source, r.target, r.label) for r in rungs(events)]


def test_a_close_with_so_linger_zero_sends_rst_and_the_reset_socket_sends_nothing() -> None:
    from netlab.core import events as ev
    from netlab.core.events import Event

    server, client = _sock("server#2", 5000, 40000), _sock("client#1", 40000, 5000)
    linger = ["SOL_SOCKET", "SO_LINGER", repr(b"\x01\x00\x00\x00\x00\x00\x00\x00")]
    events = [
        Event(1, ev.RETURN, "client", op="recv", sock=client, step=1),  # owns its address
        Event(2, ev.RETURN, "server", op="setsockopt", args=tuple(linger), sock=server, step=2),
        Event(3, ev.RETURN, "server", op="close", sock=server, step=3),
        Event(4, ev.RAISE, "client", op="recv", errno="ECONNRESET", sock=client, step=4),
        Event(5, ev.RETURN, "client", op="close", sock=client, step=5),
    ]
    assert _drawn(events) == [
        (3, "server", "client", "RST (SO_LINGER 0)"),
        (4, "client", "", "! ECONNRESET"),  # the RST is drawn where it was sent
        (5, "client", "", "■ close: already reset, nothing sent"),
    ]


def test_an_ordinary_close_sends_fin_and_a_reset_not_seen_sent_is_drawn_where_it_came() -> None:
    from netlab.core import events as ev
    from netlab.core.events import Event

    server, client = _sock("server#2", 5000, 40000), _sock("client#1", 40000, 5000)
    linger_on = ["SOL_SOCKET", "SO_LINGER", repr(b"\x01\x00\x00\x00\x05\x00\x00\x00")]
    events = [
        Event(1, ev.RETURN, "client", op="recv", sock=client, step=1),
        Event(2, ev.RETURN, "server", op="setsockopt", args=tuple(linger_on), sock=server, step=2),
        Event(3, ev.RETURN, "server", op="close", sock=server, step=3),
        Event(4, ev.RAISE, "client", op="send", errno="EPIPE", sock=client, step=4),
        Event(5, ev.RAISE, "client", op="recv", errno="ECONNRESET", sock=client, step=5),
    ]
    assert _drawn(events) == [
        (3, "server", "client", "FIN"),  # lingering 5 s is still an orderly close
        (4, "client", "", "! EPIPE: reset by the peer"),
        (5, "server", "client", "RST"),
    ]


def test_shutdown_of_the_writing_side_sends_the_fin_and_the_close_after_it_nothing() -> None:
    from netlab.core import events as ev
    from netlab.core.events import Event

    server, client = _sock("server#2", 5000, 40000), _sock("client#1", 40000, 5000)
    events = [
        Event(1, ev.RETURN, "server", op="recv", sock=server, step=1),  # owns its address
        Event(2, ev.RETURN, "client", op="shutdown", args=("SHUT_WR",), sock=client, step=2),
        Event(3, ev.RETURN, "client", op="close", sock=client, step=3),
        Event(4, ev.RETURN, "server", op="shutdown", args=("SHUT_RD",), sock=server, step=4),
        Event(5, ev.RETURN, "server", op="close", sock=server, step=5),
    ]
    assert _drawn(events) == [
        (2, "client", "server", "FIN"),
        (5, "server", "client", "FIN"),  # SHUT_RD sends nothing; the close sends its FIN
    ]

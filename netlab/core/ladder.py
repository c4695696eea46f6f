"""The ladder diagram's content: actors as lanes, and a row for each thing that crossed between
them (a connection, data, a close) or happened on one lane (blocked, failed, dropped).

Pure data from the events; a view draws it.
"""

from __future__ import annotations

import ast
import errno
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from netlab.core import calls
from netlab.core import events as ev
from netlab.core.events import Event
from netlab.core.safe_text import visible

ARROW, MARK, DROP = "arrow", "mark", "drop"
OUTSIDE = "outside"  # the lane of programs outside the lab (their side is not traced)


@dataclass(frozen=True)
class Rung:
    seq: int  # the event it comes from
    step: int
    vtime: float
    kind: str  # ARROW (from -> to), MARK (on one lane), DROP (lost on the link)
    source: str  # actor
    target: str  # actor ("" for a mark)
    label: str


def _key(address: Any) -> tuple[Any, ...] | None:
    if isinstance(address, list) and len(address) >= 2:
        host = "127.0.0.1" if address[0] in ("0.0.0.0", "", "localhost") else address[0]
        return (host, address[1])
    return None


def _label(event: Event, limit: int = 14) -> str:
    data = event.data or b""
    text = repr(data[:limit])
    return text + ("…" if event.data_len > limit else "")


def _rung(event: Event, kind: str, target: str, label: str) -> Rung:
    return Rung(event.seq, event.step, event.vtime, kind, event.actor, target, label)


# What each side's kernel sends for a connect() that succeeded: the three-way handshake.
HANDSHAKE = (("SYN", False), ("SYN-ACK", True), ("ACK", False))  # (segment, from the server)
# What sends a FIN: shutdown() of the writing side, by number or as a trace names it.
SENDS_FIN = (1, 2, "SHUT_WR", "SHUT_RDWR")


@dataclass
class _Closing:
    """What decides whether a close sends FIN, RST or nothing: sockets set to abort on close
    (SO_LINGER on, 0 seconds), connections already reset (nothing left to close), and sockets
    whose FIN went already (shutdown)."""

    aborting: set[str] = field(default_factory=set)
    reset: set[str] = field(default_factory=set)
    rst_from: set[tuple[Any, ...]] = field(default_factory=set)  # where a close sent RST
    fin_sent: set[str] = field(default_factory=set)

    def see(self, event: Event) -> None:
        sock = event.sock
        if sock is None:
            return
        if event.kind == ev.RETURN and event.op == "setsockopt" and _lingers_zero(event.args):
            self.aborting.add(sock.id)
        if event.new_sock is not None and sock.id in self.aborting:  # accept(): inherited
            self.aborting.add(event.new_sock.id)
        if event.kind == ev.RAISE and event.errno in ("ECONNRESET", "EPIPE"):
            self.reset.add(sock.id)


def _lingers_zero(args: Sequence[Any]) -> bool:
    """``setsockopt(SOL_SOCKET, SO_LINGER, struct.pack("ii", 1, 0))``, as a trace records it."""
    if len(args) != 3 or args[1] != "SO_LINGER" or not isinstance(args[2], str):
        return False
    try:
        value = ast.literal_eval(args[2])
        on, seconds = struct.unpack("ii", value[:8])
    except (ValueError, SyntaxError, TypeError, struct.error, MemoryError, RecursionError):
        return False
    return bool(on) and seconds == 0


def _crossings(event: Event, owner: dict[tuple[Any, ...], str], closing: _Closing) -> list[Rung]:
    """A connection, data or a close going from one actor to another, if this event is one."""
    sock = event.sock
    assert sock is not None
    stream = sock.type == "SOCK_STREAM"
    entry = calls.call(event.op)
    peer = owner.get(_key(sock.peer) or ("",), "")
    if entry.state == calls.CONNECTED and entry.succeeded(event.result):
        if not (stream and peer):
            return []
        return [
            Rung(event.seq, event.step, event.vtime, ARROW, *ends, segment)
            for segment, back in HANDSHAKE
            for ends in [(peer, event.actor) if back else (event.actor, peer)]
        ]
    if entry.data == calls.OUT and "tx" not in event.extra:
        address = calls.destination(event.op, event.args, sock.peer)
        target = owner.get(_key(address) or ("",), "")
        return [_rung(event, ARROW, target, _label(event))] if target else []
    closes = entry.state == calls.CLOSED or (
        event.op == "shutdown" and event.args and event.args[0] in SENDS_FIN
    )
    if closes and stream and peer:
        if sock.id in closing.reset:  # the connection is gone already: nothing is sent
            return [_rung(event, MARK, "", f"■ {event.op}: already reset, nothing sent")]
        if sock.id in closing.fin_sent:  # shutdown() sent it: close() sends nothing more
            return []
        closing.fin_sent.add(sock.id)
        if entry.state == calls.CLOSED and sock.id in closing.aborting:
            closing.rst_from.add(_key(sock.local) or ())
            return [_rung(event, ARROW, peer, "RST (SO_LINGER 0)")]
        # Behind data still on the modelled link, the FIN goes once the link delivers it.
        return [_rung(event, ARROW, peer, "FIN (queued)" if event.extra.get("deferred") else "FIN")]
    if event.op == "connect_ex" and event.result == errno.ECONNREFUSED:
        return [_rung(event, MARK, "", "SYN, RST back: refused")]
    if entry.data == calls.IN and peer == OUTSIDE and event.data_len:  # its send is not traced
        return [
            Rung(event.seq, event.step, event.vtime, ARROW, OUTSIDE, event.actor, _label(event))
        ]
    return []


def _outside_connection(event: Event, owner: dict[tuple[Any, ...], str]) -> list[Rung]:
    """A connection to or from a program outside the lab: its end takes the outside lane, and
    an accepted one shows the handshake that program's connect made."""
    sock = event.new_sock if event.op == "accept" else event.sock
    key = _key(sock.peer) if sock is not None else None
    if key is None:
        return []
    owner[key] = OUTSIDE
    if event.op != "accept":
        return []
    return [
        Rung(event.seq, event.step, event.vtime, ARROW, *ends, segment)
        for segment, back in HANDSHAKE
        for ends in [(event.actor, OUTSIDE) if back else (OUTSIDE, event.actor)]
    ]


def _failed(event: Event, owner: dict[tuple[Any, ...], str], closing: _Closing) -> Rung:
    """A call that raised: a reset comes from the peer's kernel (an RST arrow); a refusal is the
    answer to this socket's SYN (TCP) or an ICMP message (UDP)."""
    sock = event.sock
    name = event.errno or "error"
    peer = owner.get(_key(sock.peer) or ("",), "") if sock is not None else ""
    drawn = sock is not None and _key(sock.peer) in closing.rst_from  # as the peer closed
    if name == "ECONNRESET" and peer and not drawn:  # the peer's kernel reset the connection
        return Rung(event.seq, event.step, event.vtime, ARROW, peer, event.actor, "RST")
    if name == "ECONNREFUSED" and sock is not None:
        answer = "SYN, RST back" if sock.type == "SOCK_STREAM" else "ICMP unreachable"
        return _rung(event, MARK, "", f"! {answer}: refused")
    if name == "EPIPE" and peer:  # what was sent after the peer's close was answered with RST
        return _rung(event, MARK, "", "! EPIPE: reset by the peer")
    return _rung(event, MARK, "", f"! {name}")


def _on_the_link(event: Event, owner: dict[tuple[Any, ...], str]) -> Rung:
    """A datagram or segment as the link model decided: ✗ when it was lost for good."""
    sock = event.sock
    assert sock is not None
    target = owner.get(_key(event.extra.get("to") or sock.peer) or ("",), "")
    arrivals = event.extra.get("arrivals")
    label = f"#{event.extra.get('number', '?')}"
    if arrivals is not None and len(arrivals) > 1:
        label += " ×2"
    if arrivals == []:
        return _rung(event, DROP, target, label)
    if event.extra.get("losses", 0) > 0:
        label += " lost, resent"
    return _rung(event, ARROW, target, label)


def rungs(events: Sequence[Event]) -> list[Rung]:
    """The ladder's rows for these events, in order."""
    owner: dict[tuple[Any, ...], str] = {}  # local address -> the actor whose socket has it
    closing = _Closing()
    out: list[Rung] = []
    for event in events:
        for info in (event.sock, event.new_sock):
            key = _key(info.local) if info is not None else None
            if key is not None:
                owner.setdefault(key, event.actor)
        rung: Rung | None = None
        if event.extra.get("compound"):
            continue  # create_connection, sendall...: the calls inside make the rungs
        if event.kind == ev.RETURN and "outside" in event.extra:
            out.extend(_outside_connection(event, owner))
        if event.kind == ev.RETURN and event.sock is not None:
            out.extend(_crossings(event, owner, closing))
        elif event.kind == ev.LINK and event.extra.get("modelled") and event.sock is not None:
            rung = _on_the_link(event, owner)
        elif event.kind == ev.BLOCK:
            rung = _rung(event, MARK, "", f"⏸ {event.op}()")
        elif event.kind == ev.RAISE:
            rung = _failed(event, owner, closing)
        elif event.kind == ev.ACTOR_EXIT:
            rung = _rung(event, MARK, "", "✗ crashed" if event.error else "■ done")
        elif event.kind == ev.OUTPUT:
            rung = _rung(event, MARK, "", "| " + visible(event.text)[:20])
        if rung is not None:
            out.append(rung)
        closing.see(event)
    return out

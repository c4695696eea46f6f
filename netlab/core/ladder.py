"""The ladder diagram's content: actors as lanes, and a row for each thing that crossed between
them (a connection, data, a close) or happened on one lane (blocked, failed, dropped).

Pure data from the events; a view draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from netlab.core import events as ev
from netlab.core.events import Event
from netlab.core.safe_text import visible

ARROW, MARK, DROP = "arrow", "mark", "drop"


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


def rungs(events: Sequence[Event]) -> list[Rung]:
    """The ladder's rows for these events, in order."""
    owner: dict[tuple[Any, ...], str] = {}  # local address -> the actor whose socket has it
    out: list[Rung] = []
    for event in events:
        for info in (event.sock, event.new_sock):
            if info is not None and _key(info.local) is not None:
                owner.setdefault(_key(info.local), event.actor)  # type: ignore[arg-type]
        sock = event.sock
        if event.kind == ev.RETURN and sock is not None:
            target = ""
            if event.op in ("connect", "create_connection") or (
                event.op == "connect_ex" and event.result == 0
            ):
                target = owner.get(_key(sock.peer), "")  # type: ignore[arg-type]
                if target and sock.type == "SOCK_STREAM":
                    out.append(
                        Rung(event.seq, event.step, event.vtime, ARROW, event.actor, target, "SYN")
                    )
            elif event.op in ("send", "sendall", "sendto") and "tx" not in event.extra:
                destination = event.args[-1] if event.op == "sendto" else sock.peer
                target = owner.get(_key(destination), "")  # type: ignore[arg-type]
                if target:
                    out.append(
                        Rung(
                            event.seq,
                            event.step,
                            event.vtime,
                            ARROW,
                            event.actor,
                            target,
                            _label(event),
                        )
                    )
            elif event.op == "close" and sock.type == "SOCK_STREAM" and sock.peer:
                target = owner.get(_key(sock.peer), "")  # type: ignore[arg-type]
                if target:
                    out.append(
                        Rung(event.seq, event.step, event.vtime, ARROW, event.actor, target, "FIN")
                    )
        elif event.kind == ev.LINK and event.extra.get("modelled") and sock is not None:
            destination = event.extra.get("to") or sock.peer
            target = owner.get(_key(destination), "")  # type: ignore[arg-type]
            arrivals = event.extra.get("arrivals")
            lost = arrivals == [] or event.extra.get("losses", 0) > 0
            what = f"#{event.extra.get('number', '?')}"
            if arrivals is not None and len(arrivals) > 1:
                what += " ×2"
            kind = DROP if arrivals == [] else ARROW
            label = what + (" lost" if lost and kind == ARROW else "")
            out.append(Rung(event.seq, event.step, event.vtime, kind, event.actor, target, label))
        elif event.kind == ev.BLOCK:
            out.append(
                Rung(event.seq, event.step, event.vtime, MARK, event.actor, "", f"⏸ {event.op}()")
            )
        elif event.kind == ev.RAISE:
            out.append(
                Rung(
                    event.seq,
                    event.step,
                    event.vtime,
                    MARK,
                    event.actor,
                    "",
                    f"! {event.errno or 'error'}",
                )
            )
        elif event.kind == ev.ACTOR_EXIT:
            label = "✗ crashed" if event.error else "■ done"
            out.append(Rung(event.seq, event.step, event.vtime, MARK, event.actor, "", label))
        elif event.kind == ev.OUTPUT:
            out.append(
                Rung(
                    event.seq,
                    event.step,
                    event.vtime,
                    MARK,
                    event.actor,
                    "",
                    "| " + visible(event.text)[:20],
                )
            )
    return out

"""What the lab's sends do on the modelled link (DESIGN §2.3): each of the link model's
decisions recorded, each delivery put on the clock for the conductor to hand to the kernel."""

from __future__ import annotations

from typing import Any

from netlab.core import events as ev
from netlab.core.clock import Clock
from netlab.core.event_log import EventLog
from netlab.core.events import Event
from netlab.core.link import LinkModel, Segment, direction_of


class Traffic:
    def __init__(self, model: LinkModel, clock: Clock, log: EventLog, rto_ms: float) -> None:
        self._model = model
        self._clock = clock
        self._log = log
        self._rto_ms = rto_ms
        self._stream_bytes: dict[str, int] = {}  # bytes a TCP socket sent over the link so far

    def transmit(self, actor: str, event: Event, info: dict[str, Any]) -> None:
        """A send over the modelled link (``info``: what the actor held back): decide its fate
        and schedule its delivery."""
        sock = event.sock
        assert sock is not None
        if info["transport"] == "udp":
            self._datagram(actor, event, info)
        else:
            self._stream(actor, event, info)

    def close_behind(self, actor: str, sock_id: str, how: int | None = None) -> None:
        """A close (or shutdown) waits behind the data its socket still has on the link."""
        item: dict[str, Any] = {"sock": sock_id} if how is None else {"sock": sock_id, "how": how}
        self._clock.close_behind(actor, item, sock_id)

    def _datagram(self, actor: str, event: Event, info: dict[str, Any]) -> None:
        sock = event.sock
        assert sock is not None
        now, size, tx = self._clock.now, int(info["size"]), info["tx"]
        decision = self._model.datagram(now, sock.id, direction_of(actor), size)
        # The copy that arrives last lets the sender forget the datagram.
        copies = sorted(decision.copies, key=lambda copy: copy.deliver_at)
        for copy in copies:
            item = {"tx": tx, "corrupt": copy.corrupt_at, "last": copy is copies[-1]}
            self._clock.deliver(copy.deliver_at, actor, item, sock.id)
        if decision.dropped:
            self._clock.deliver(now, actor, {"tx": tx, "forget": True}, sock.id)
        self._log.record(
            ev.LINK,
            actor,
            op="datagram",
            sock=sock,
            text=f"datagram #{decision.number} from {sock.id} ({size} bytes): {decision.text}",
            extra={
                "transport": "udp",
                "number": decision.number,
                "size": size,
                "to": info.get("to"),
                "sent_at": now,
                "arrivals": [copy.deliver_at for copy in decision.copies],
                "corrupted": sum(c.corrupt_at is not None for c in decision.copies),
                "loss_draw": round(decision.loss_draw, 6),
                "modelled": True,
            },
        )

    def _stream(self, actor: str, event: Event, info: dict[str, Any]) -> None:
        sock = event.sock
        assert sock is not None
        now, size, tx = self._clock.now, int(info["size"]), info["tx"]
        offset = self._stream_bytes.get(sock.id, 0)
        self._stream_bytes[sock.id] = offset + size
        segments = self._model.segments(now, sock.id, direction_of(actor), offset, size)
        for segment in segments:
            item = {
                "tx": tx,
                "start": segment.start - offset,
                "end": segment.end - offset,
                "last": segment is segments[-1],
            }
            self._clock.deliver(segment.release_at, actor, item, sock.id)
            self._log.record(
                ev.LINK,
                actor,
                op="segment",
                sock=sock,
                text=segment_text(segment, sock.id, now, self._rto_ms),
                extra={
                    "transport": "tcp",
                    "number": segment.number,
                    "start": segment.start,
                    "end": segment.end,
                    "losses": segment.losses,
                    "sent_at": now,
                    "arrive_at": segment.arrive_at,
                    "release_at": segment.release_at,
                    "modelled": True,
                },
            )


def segment_text(segment: Segment, sock_id: str, now: float, rto_ms: float) -> str:
    where = f"segment #{segment.number} from {sock_id} (bytes {segment.start}-{segment.end - 1})"
    parts = []
    if segment.losses:
        waits = [rto_ms * 2**i for i in range(segment.losses)]
        resent = ", ".join(f"{wait:g} ms" for wait in waits)
        parts.append(f"lost {segment.losses}x, sent again after {resent} (retransmission timeout)")
    parts.append(f"arrives after {(segment.arrive_at - now) * 1000:.1f} ms")
    if segment.release_at > segment.arrive_at:
        held = (segment.release_at - segment.arrive_at) * 1000
        parts.append(f"held {held:.1f} ms behind an earlier segment (head-of-line blocking)")
    return f"{where}: {'; '.join(parts)}"

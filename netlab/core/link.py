"""The link: a seeded, root-free model of the network between a lab's sockets (DESIGN §2.3).

Like netem on the sender's egress: when an actor sends, the model decides what happens to the
datagram or segment, and the real send happens when the link delivers. This module is pure — no
sockets, no clock — so its decisions can be tested and benchmarked alone.

Every decision draws ``rng.random() < p`` from a ``random.Random`` of its own purpose (loss,
retransmission, duplication, delay, corruption) and transport, all derived from the seed. So the
k-th UDP datagram and the k-th TCP segment meet the same first loss draw: on the same link with
the same seed, TCP and UDP lose the same packets, and only TCP gets them back.
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass, field, fields, replace
from typing import Any

TCP, UDP = "tcp", "udp"
TO_SERVER, TO_CLIENT = "client_to_server", "server_to_client"


class LinkError(ValueError):
    """Settings the link cannot work with; the message names the setting and what is allowed."""


@dataclass(frozen=True)
class Impairment:
    """What happens to packets on one path (a transport in one direction)."""

    loss: float = 0.0  # probability a datagram or segment is lost
    duplicate: float = 0.0  # probability a datagram arrives twice (UDP)
    delay: float = 0.0  # one-way delay, ms
    jitter: float = 0.0  # the delay varies by up to ± this many ms (reorders UDP)
    corrupt: float = 0.0  # probability one byte of a datagram is flipped (UDP)

    @property
    def perfect(self) -> bool:
        return not (self.loss or self.duplicate or self.delay or self.jitter or self.corrupt)


_IMPAIRMENT_FIELDS = {f.name for f in fields(Impairment)}
_PROBABILITIES = ("loss", "duplicate", "corrupt")


class Link:
    """Link settings: ``Link(loss=0.1, delay=20, jitter=10)``.

    ``tcp={...}`` and ``udp={...}`` override the settings for one transport;
    ``client_to_server={...}`` and ``server_to_client={...}`` for one direction (data sent by an
    actor whose name starts with "server" goes server to client). ``segment`` is the TCP
    segment size in bytes, ``rto`` the first retransmission timeout in ms (it doubles on each
    repeated loss).
    """

    def __init__(
        self,
        *,
        loss: float = 0.0,
        duplicate: float = 0.0,
        delay: float = 0.0,
        jitter: float = 0.0,
        corrupt: float = 0.0,
        segment: int = 1460,
        rto: float = 200.0,
        tcp: dict[str, float] | None = None,
        udp: dict[str, float] | None = None,
        client_to_server: dict[str, float] | None = None,
        server_to_client: dict[str, float] | None = None,
        name: str = "custom",
    ) -> None:
        self.name = name
        self.base = Impairment(loss, duplicate, delay, jitter, corrupt)
        self.segment = segment
        self.rto = rto
        self.overrides = {
            "tcp": dict(tcp or {}),
            "udp": dict(udp or {}),
            TO_SERVER: dict(client_to_server or {}),
            TO_CLIENT: dict(server_to_client or {}),
        }
        self._paths = {
            (transport, direction): self._combine(transport, direction)
            for transport in (TCP, UDP)
            for direction in (TO_SERVER, TO_CLIENT)
        }

    def _combine(self, transport: str, direction: str) -> Impairment:
        settings: dict[str, Any] = {}
        for where in (transport, direction):  # the direction is the more particular
            for key, value in self.overrides[where].items():
                if key not in _IMPAIRMENT_FIELDS:
                    allowed = ", ".join(sorted(_IMPAIRMENT_FIELDS))
                    raise LinkError(
                        f"Link({where}={{{key!r}: ...}}): unknown setting; use {allowed}"
                    )
                settings[key] = value
        return replace(self.base, **settings)

    def path(self, transport: str, direction: str) -> Impairment:
        return self._paths[(transport, direction)]

    @property
    def perfect(self) -> bool:
        return all(path.perfect for path in self._paths.values())

    def validate(self) -> Link:
        """Refuse settings the model cannot work with; return self."""
        if isinstance(self.segment, bool) or not isinstance(self.segment, int):
            raise LinkError(f"Link(segment={self.segment!r}): a whole number of bytes, 1 to 65535")
        if not 1 <= self.segment <= 65535:
            raise LinkError(f"Link(segment={self.segment}): allowed 1 to 65535 bytes")
        if not _number(self.rto) or not 1 <= self.rto <= 60000:
            raise LinkError(f"Link(rto={self.rto!r}): allowed 1 to 60000 ms")
        for (transport, direction), path in self._paths.items():
            where = f"{transport.upper()} {direction.replace('_', ' ')}"
            for name in _PROBABILITIES:
                value = getattr(path, name)
                if not _number(value) or not 0.0 <= value <= 1.0:
                    raise LinkError(f"{name}={value!r} ({where}): a probability from 0 to 1")
            for name in ("delay", "jitter"):
                value = getattr(path, name)
                if not _number(value) or not 0.0 <= value <= 600000:
                    raise LinkError(f"{name}={value!r} ({where}): allowed 0 to 600000 ms")
            if transport == TCP and path.loss >= 1.0:
                raise LinkError(
                    f"loss={path.loss:g} ({where}): TCP could never deliver a segment, so no "
                    "progress is possible; allowed 0 <= loss < 1 for TCP (to drop every UDP "
                    'datagram only, use udp={"loss": 1})'
                )
        return self

    def describe(self) -> str:
        base = self.base
        parts = [
            f"{name}={getattr(base, name):g}" for name in _IMPAIRMENT_FIELDS if getattr(base, name)
        ]
        parts = sorted(parts)
        if any(self.overrides.values()):
            parts.append("with overrides")
        return f"{self.name} ({', '.join(parts) or 'no impairment'})"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            **{name: getattr(self.base, name) for name in sorted(_IMPAIRMENT_FIELDS)},
            "segment": self.segment,
            "rto": self.rto,
            **{key: value for key, value in self.overrides.items() if value},
        }

    def __repr__(self) -> str:
        return f"Link({self.describe()})"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


PRESETS: dict[str, dict[str, Any]] = {
    "perfect": {},
    "lan": {"delay": 1, "jitter": 0.5},
    "lossy-wifi": {"loss": 0.1, "duplicate": 0.02, "delay": 8, "jitter": 6, "rto": 200},
    "mobile-3g": {"loss": 0.03, "duplicate": 0.01, "delay": 100, "jitter": 40, "rto": 500},
    "satellite": {"loss": 0.01, "delay": 300, "jitter": 10, "rto": 1000},
}


def resolve_link(value: Any) -> Link:
    """A preset name or a Link, validated."""
    if isinstance(value, Link):
        return value.validate()
    if isinstance(value, str) and value in PRESETS:
        return Link(name=value, **PRESETS[value]).validate()
    allowed = ", ".join(PRESETS)
    raise LinkError(f"link {value!r}: unknown; use a preset ({allowed}) or Link(...)")


# -- the model ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Copy:
    """One copy of a datagram that the link hands to the receiver's kernel."""

    deliver_at: float  # virtual seconds
    corrupt_at: int | None = None  # index of the flipped byte


@dataclass(frozen=True)
class DatagramDecision:
    number: int  # 1-based, per sending socket
    copies: tuple[Copy, ...]
    loss_draw: float
    text: str

    @property
    def dropped(self) -> bool:
        return not self.copies


@dataclass(frozen=True)
class Segment:
    """A piece of a TCP stream: bytes [start, end) of one send call."""

    number: int  # 1-based, per stream
    start: int
    end: int
    losses: int  # how many times it was lost before it got through
    arrive_at: float  # when it reached the receiver
    release_at: float  # when the receiver's TCP hands it on: never before the one ahead


@dataclass
class _Stream:
    segments: int = 0
    last_release: float = 0.0


@dataclass
class LinkModel:
    """Makes the link's decisions for one lab run."""

    link: Link
    seed: int
    _rngs: dict[tuple[str, str], random.Random] = field(default_factory=dict)
    _datagrams: dict[str, int] = field(default_factory=dict)
    _streams: dict[str, _Stream] = field(default_factory=dict)

    def _rng(self, transport: str, purpose: str) -> random.Random:
        key = (transport, purpose)
        rng = self._rngs.get(key)
        if rng is None:
            # An integer seed per purpose (Random(int) is the sequence Python promises to keep),
            # the same for both transports, each of which draws from its own copy.
            rng = random.Random(zlib.crc32(f"{self.seed}:{purpose}".encode()))
            self._rngs[key] = rng
        return rng

    def _delay(self, transport: str, path: Impairment) -> float:
        draw = self._rng(transport, "delay").random()
        return max(0.0, path.delay + path.jitter * (2 * draw - 1)) / 1000.0

    def datagram(self, now: float, sender: str, direction: str, size: int) -> DatagramDecision:
        """Decide the fate of one datagram sent at ``now`` by socket ``sender``."""
        path = self.link.path(UDP, direction)
        number = self._datagrams.get(sender, 0) + 1
        self._datagrams[sender] = number
        loss_draw = self._rng(UDP, "loss").random()
        if loss_draw < path.loss:
            text = f"dropped: loss={path.loss:g}, draw={loss_draw:.3f}, seed={self.seed}"
            return DatagramDecision(number, (), loss_draw, text)
        duplicate_draw = self._rng(UDP, "duplicate").random()
        count = 2 if duplicate_draw < path.duplicate else 1
        copies = []
        for _ in range(count):
            corrupt_at = None
            if self._rng(UDP, "corrupt").random() < path.corrupt and size:
                corrupt_at = int(self._rng(UDP, "corrupt").random() * size)
            copies.append(Copy(now + self._delay(UDP, path), corrupt_at))
        parts = [f"delivered after {(copies[0].deliver_at - now) * 1000:.1f} ms"]
        if count == 2:
            parts.append(
                f"duplicated (duplicate={path.duplicate:g}, draw={duplicate_draw:.3f}), "
                f"copy after {(copies[1].deliver_at - now) * 1000:.1f} ms"
            )
        if any(c.corrupt_at is not None for c in copies):
            parts.append(f"a byte corrupted (corrupt={path.corrupt:g})")
        if path.loss:
            parts.append(f"loss={path.loss:g}, draw={loss_draw:.3f}")
        return DatagramDecision(number, tuple(copies), loss_draw, "; ".join(parts))

    def segments(
        self, now: float, stream: str, direction: str, offset: int, size: int
    ) -> list[Segment]:
        """Cut ``size`` bytes sent at ``now`` into segments and decide when each arrives.

        A lost segment is sent again after the retransmission timeout, doubling on each repeated
        loss; nothing behind it is released before it (head-of-line blocking).
        """
        path = self.link.path(TCP, direction)
        state = self._streams.setdefault(stream, _Stream())
        out = []
        for start in range(0, size, self.link.segment):
            end = min(size, start + self.link.segment)
            state.segments += 1
            sent_at, rto, losses = now, self.link.rto / 1000.0, 0
            draw = self._rng(TCP, "loss").random()
            while draw < path.loss:
                losses += 1
                sent_at += rto
                rto *= 2
                draw = self._rng(TCP, "retransmit").random()
            arrive = sent_at + self._delay(TCP, path)
            release = max(arrive, state.last_release)
            state.last_release = release
            out.append(
                Segment(state.segments, offset + start, offset + end, losses, arrive, release)
            )
        return out

    def stream_end(self, stream: str, now: float) -> float:
        """When the end of a stream (its FIN) reaches the peer: after all its data."""
        state = self._streams.get(stream)
        return now if state is None else max(now, state.last_release)


def direction_of(actor: str) -> str:
    """Data sent by an actor named server… goes server to client; all else client to server."""
    return TO_CLIENT if actor.startswith("server") else TO_SERVER

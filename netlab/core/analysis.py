"""What was sent and what arrived, per flow, computed from the events alone (DESIGN §2.3).

A UDP flow is every datagram sent to one receiving socket; a TCP flow is one direction of one
connection. The accounting that must always hold, checked by :meth:`FlowStats.balanced`:

- UDP: ``sent + duplicated = delivered + dropped_link + dropped_kernel + unread``, where
  ``delivered`` is what the receiving actor read and ``unread`` what it never read;
- TCP: every byte sent is delivered once, in order (``delivered_bytes == sent_bytes`` once the
  receiver has read to the end).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from netlab.core import calls
from netlab.core import events as ev
from netlab.core.events import Event, SockInfo
from netlab.core.safe_text import visible

# What became of one message, in one word, read by every view (the Delivery tab's table, strip
# and legend, and the summary of netlab run). The first that holds is the message's fate.
LOST = "lost"  # the link lost every copy
ON_THE_LINK = "on the link"  # sent; no copy has arrived yet
NO_RECEIVER = "no receiver"  # UDP: no lab socket at that address (the kernel refuses it)
OUTSIDE = "outside"  # TCP: sent to a peer no traced call of the lab made (its reads unknown)
LATE = "late"  # read, after one sent later than it
DUPLICATED = "duplicated"  # read, and more than one copy arrived
READ = "read"  # arrived and read
KERNEL = "dropped by the kernel"  # arrived, and the receiver's kernel dropped it (buffer full)
UNREAD = "not read"  # arrived and waits unread (or was never read)
KERNEL_OR_UNREAD = "kernel or not read"  # not read: some dropped, some left; which is not known

# A recording keeps virtual times to the microsecond: times this close are the same moment.
_SAME_MOMENT = 1e-6


@dataclass(frozen=True, slots=True)  # slots: a long lab has a million
class MessageFate:
    """One application message (a send call) and what became of it."""

    flow: str
    number: int  # 1-based within its flow
    size: int
    sent_at: float
    arrivals: tuple[float, ...]  # when each copy reached the receiver (TCP: its last byte)
    late: bool = False  # its first copy arrived after the first of one sent later
    fate: str = READ

    @property
    def lost(self) -> bool:
        return self.fate == LOST

    @property
    def latency(self) -> float | None:
        return min(self.arrivals) - self.sent_at if self.arrivals else None


@dataclass(frozen=True)
class FlowStats:
    name: str  # "client-1#1 -> server#1"
    transport: str  # "TCP" or "UDP"
    sent: int
    sent_bytes: int
    delivered: int
    delivered_bytes: int
    dropped_link: int = 0
    dropped_kernel: int = 0
    duplicated: int = 0
    late: int = 0  # messages that arrived after one sent later than them
    retransmitted: int = 0  # TCP segments the link lost and sent again
    max_latency: float | None = None  # seconds
    in_order: bool | None = None  # TCP: bytes read == bytes sent, in order (None: not known)
    kernel_known: bool = True  # UDP: whether the receiver's kernel has told its drops yet
    lab_receiver: bool = True  # whether a lab socket receives it (not: a program outside the lab)
    lab_sender: bool = True  # whether a lab socket sent it (not: a program outside the lab)

    @property
    def unread(self) -> int:
        """UDP datagrams that reached the receiver's socket but were never read."""
        if self.transport != "UDP":
            return 0
        return (
            self.sent + self.duplicated - self.delivered - self.dropped_link - self.dropped_kernel
        )

    def balanced(self) -> bool:
        """The accounting identity of this flow's transport holds."""
        if self.transport == "UDP":
            return self.unread >= 0
        return self.delivered_bytes <= self.sent_bytes and self.in_order is not False


@dataclass(frozen=True)
class Analysis:
    flows: list[FlowStats] = field(default_factory=list)
    messages: list[MessageFate] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "flows": [
                {**flow.__dict__, "unread": flow.unread, "balanced": flow.balanced()}
                for flow in self.flows
            ],
        }


_Payload = tuple[int, bytes | None]  # a message's length, and its bytes as far as kept


class _Sent(NamedTuple):
    """One message sent, as the analysis keeps it (a tuple: a long lab sends a million)."""

    sender: str
    size: int
    sent_at: float
    bytes: _Payload
    held: bool  # on the modelled link: its fate is decided there


@dataclass
class _Flow:
    transport: str
    senders: list[str] = field(default_factory=list)
    receiver: str | None = None
    messages: list[_Sent] = field(default_factory=list)  # in the order sent
    # TCP: the running checksum of the stream at each byte count, on each side.
    sent_checksums: dict[int, int] = field(default_factory=dict)
    sent_bytes: int = 0
    received_checksums: dict[int, int] = field(default_factory=dict)
    received: int = 0
    received_bytes: int = 0
    reads: list[tuple[float, _Payload]] = field(default_factory=list)  # UDP: when, and what
    kernel_drops: int | None = None  # UDP: None until the receiver's kernel has told them
    lab_receiver: bool = True  # whether a lab socket has the address it is sent to
    lab_sender: bool = True  # TCP: whether a lab socket sends it (not a program outside)


def analyse(
    events: Iterable[Event], *, messages: int | None = None, sockets: Sockets | None = None
) -> Analysis:
    """Per flow: sent, delivered, lost, duplicated, out of order, latency; and its messages'
    fates, the first ``messages`` of each flow (None: all of them; a view of a lab of a million
    messages draws a few hundred, and need not hold a million fates).

    ``events`` is gone through twice (a list, or a long lab's recording read back from its
    file), or once if ``sockets`` has seen them all already."""
    if sockets is None:
        sockets = Sockets()
        for event in events:
            sockets.see(event)
    outside = sockets.outside
    found = sockets.last.values()
    # Who receives what: a UDP socket by its address, a TCP socket by both ends of its connection.
    by_local = {_key(s.local, s.type): s.id for s in found if s.local and s.type == "SOCK_DGRAM"}
    by_local |= {
        (_key(s.local, s.type), _key(s.peer, s.type)): s.id
        for s in found
        if s.local and s.peer and s.type == "SOCK_STREAM"
    }
    flows: dict[str, _Flow] = {}
    payloads: dict[_Payload, _Payload] = {}  # each kept once, however often sent or read
    link_events: dict[str, list[Event]] = defaultdict(list)  # by sending socket, in order
    kernel_drops: dict[str, int] = {}  # counted by the kernel as the socket closed
    drops_so_far: dict[str, int] = {}
    now = 0.0  # the virtual time of the last event: what has arrived by then
    for event in events:
        now = max(now, event.vtime)
        if event.kind == ev.LINK and event.sock is not None and event.extra.get("modelled"):
            link_events[event.sock.id].append(event)
        elif event.kind == ev.RETURN and event.sock is not None:
            if event.op in calls.SENDS:
                _count_send(flows, by_local, event, outside, payloads)
            elif event.op in calls.RECEIVES:
                _count_receive(flows, by_local, event, outside, payloads)
            elif event.op == "close" and "kernel_drops" in event.extra:
                kernel_drops[event.sock.id] = int(event.extra["kernel_drops"])
        elif event.kind == ev.ACTOR_EXIT:
            for sock_id, counters in event.extra.get("counters", {}).items():
                if "kernel_drops" in counters:
                    kernel_drops[sock_id] = int(counters["kernel_drops"])
        elif event.kind == ev.KERNEL and isinstance(event.extra.get("sockets"), dict):
            # The kernel's view kept as the lab was stepped: the drops so far, read live.
            for sock_id, row in event.extra["sockets"].items():
                if isinstance(row, list) and len(row) >= 4 and isinstance(row[3], int):
                    drops_so_far[sock_id] = row[3]
    for flow in flows.values():
        known = {**drops_so_far, **kernel_drops}
        if flow.transport == "UDP" and flow.receiver in known:
            flow.kernel_drops = known[flow.receiver]
    stats, fates = [], []
    for name in list(flows):
        flow = flows.pop(name)  # what it kept is let go as soon as it is counted
        tally = _Tally(name, messages)
        if flow.transport == "UDP":
            flow_stats = _udp_stats(tally, flow, link_events, now)
        else:
            flow_stats = _tcp_stats(tally, flow, link_events, now)
        stats.append(flow_stats)
        fates.extend(tally.kept)
    return Analysis(stats, fates)


class Sockets:
    """What the analysis must know of the lab's sockets before it counts a message, learnt one
    event at a time (as the lab goes, or in a first pass over its events).

    The last snapshot of every lab socket that knew its addresses. A stream socket keeps the
    peer it had: after a reset the kernel no longer names it (getpeername fails), but the
    connection's bytes are still its. And the lab's end of each connection to a program
    outside the lab, and that program, as the conductor found them as they were accepted or
    made."""

    def __init__(self) -> None:
        self.last: dict[str, SockInfo] = {}
        self.outside: dict[str, str] = {}

    def see(self, event: Event) -> None:
        if event.kind == ev.RETURN and "outside" in event.extra:
            sock = event.new_sock if event.op == "accept" else event.sock
            if sock is not None:
                self.outside[sock.id] = visible(str(event.extra["outside"]))
        for info in (event.sock, event.new_sock):
            if info is None:
                continue
            known = self.last.get(info.id)
            lost_peer = known is not None and known.peer and not info.peer
            if known is None or (info.local and not (info.type == "SOCK_STREAM" and lost_peer)):
                self.last[info.id] = info


def _key(address: Any, sock_type: str) -> tuple[Any, ...]:
    if not (isinstance(address, list) and len(address) >= 2):
        return (sock_type, str(address), 0)  # not an address netlab writes (a recording's)
    host, port = str(address[0]), address[1] if isinstance(address[1], int) else 0
    host = "127.0.0.1" if host in ("0.0.0.0", "", "localhost") else host
    return (sock_type, host, port)


def _count_send(
    flows: dict[str, _Flow],
    by_local: dict[Any, str],
    event: Event,
    outside: dict[str, str],
    payloads: dict[_Payload, _Payload],
) -> None:
    sock = event.sock
    assert sock is not None
    if sock.type == "SOCK_DGRAM":
        destination = calls.destination(event.op, event.args, sock.peer)
        lab_socket = by_local.get(_key(destination, "SOCK_DGRAM"))
        receiver = lab_socket or _address_text(destination)
        flow = flows.setdefault(f"UDP to {receiver}", _Flow("UDP", receiver=receiver))
        flow.lab_receiver = lab_socket is not None
    elif sock.id in outside:
        receiver = outside[sock.id]
        flow = flows.setdefault(f"TCP {sock.id} -> {receiver}", _Flow("TCP", receiver=receiver))
        flow.lab_receiver = False
    else:
        pair = (_key(sock.peer, "SOCK_STREAM"), _key(sock.local, "SOCK_STREAM"))
        receiver = by_local.get(pair) or _address_text(sock.peer)
        name = f"TCP {sock.id} -> {receiver}"
        flow = flows.setdefault(name, _Flow("TCP", receiver=receiver))
    if sock.id not in flow.senders:
        flow.senders.append(sock.id)
    size = event.data_len
    flow.messages.append(
        _Sent(sock.id, size, event.vtime, _payload(event, payloads), "tx" in event.extra)
    )
    flow.sent_bytes += size
    if "crc" in event.extra:
        flow.sent_checksums[flow.sent_bytes] = event.extra["crc"]


def _count_receive(
    flows: dict[str, _Flow],
    by_local: dict[Any, str],
    event: Event,
    outside: dict[str, str],
    payloads: dict[_Payload, _Payload],
) -> None:
    sock = event.sock
    assert sock is not None
    if sock.type == "SOCK_DGRAM":
        flow = flows.setdefault(f"UDP to {sock.id}", _Flow("UDP", receiver=sock.id))
    elif sock.id in outside:
        name = f"TCP {outside[sock.id]} -> {sock.id}"
        flow = flows.setdefault(name, _Flow("TCP", receiver=sock.id, lab_sender=False))
    else:
        sender = by_local.get((_key(sock.peer, "SOCK_STREAM"), _key(sock.local, "SOCK_STREAM")))
        if sender is None:
            return
        name = f"TCP {sender} -> {sock.id}"
        flow = flows.setdefault(name, _Flow("TCP", senders=[sender], receiver=sock.id))
    if sock.type == "SOCK_DGRAM":
        flow.reads.append((event.vtime, _payload(event, payloads)))
    if event.data_len or sock.type == "SOCK_DGRAM":
        flow.received += 1
    flow.received_bytes += event.data_len
    if "crc" in event.extra:
        flow.received_checksums[flow.received_bytes] = event.extra["crc"]


def _payload(event: Event, payloads: dict[_Payload, _Payload]) -> _Payload:
    """What a datagram held, as far as the log keeps it: enough to tell one from another (the
    same bytes sent again are the same object)."""
    payload = (event.data_len, event.data)
    return payloads.setdefault(payload, payload)


def _address_text(address: Any) -> str:
    if isinstance(address, list) and len(address) >= 2:
        return visible(f"{address[0]}:{address[1]}")
    return visible(str(address))


class _Tally:
    """A flow's messages counted as their fates are found, the first ``keep`` of them kept."""

    def __init__(self, name: str, keep: int | None) -> None:
        self.name, self._keep = name, keep
        self.kept: list[MessageFate] = []
        self.sent = self.sent_bytes = self.no_copy = self.more_copies = self.late = 0
        self.read = 0
        self.max_latency: float | None = None

    def add(self, fate: MessageFate, *, arrived_by: float) -> None:
        if self._keep is None or len(self.kept) < self._keep:
            self.kept.append(fate)
        self.sent += 1
        self.sent_bytes += fate.size
        self.no_copy += not fate.arrivals
        self.more_copies += max(0, len(fate.arrivals) - 1)
        self.late += fate.late
        self.read += fate.fate == READ
        latency = fate.latency
        if latency is not None and min(fate.arrivals) <= arrived_by:
            self.max_latency = (
                latency if self.max_latency is None else max(self.max_latency, latency)
            )


def _udp_stats(
    tally: _Tally, flow: _Flow, link_events: dict[str, list[Event]], now: float
) -> FlowStats:
    decisions = {sender: iter(link_events.get(sender, ())) for sender in flow.senders}
    arrivals_of = []
    for message in flow.messages:
        decision = next(decisions[message.sender], None)
        if decision is not None:
            arrivals_of.append(tuple(decision.extra.get("arrivals", ())))
        elif message.held:  # the link has not decided yet: it is on its way
            arrivals_of.append((float("inf"),))
        else:  # no modelled link: handed to the kernel at once
            arrivals_of.append((message.sent_at,))
    reads = _reads_per_message(flow, arrivals_of)
    late = _late(arrivals_of)
    never_read = sum(
        1 for index, arrivals in enumerate(arrivals_of) if arrivals and not reads[index]
    )
    for index, message in enumerate(flow.messages):
        arrivals = arrivals_of[index]
        if not arrivals:
            fate = LOST
        elif min(arrivals) > now + _SAME_MOMENT:
            fate = ON_THE_LINK
        elif not flow.lab_receiver:
            fate = NO_RECEIVER
        elif reads[index]:
            fate = LATE if late[index] else DUPLICATED if len(arrivals) > 1 else READ
        else:
            fate = _not_read(flow.kernel_drops, never_read)
        number = index + 1
        tally.add(
            MessageFate(
                tally.name, number, message.size, message.sent_at, arrivals, late[index], fate
            ),
            arrived_by=now,
        )
    return FlowStats(
        name=tally.name,
        transport="UDP",
        sent=tally.sent,
        sent_bytes=tally.sent_bytes,
        delivered=flow.received,
        delivered_bytes=flow.received_bytes,
        dropped_link=tally.no_copy,
        dropped_kernel=flow.kernel_drops or 0,
        duplicated=tally.more_copies,
        late=tally.late,
        max_latency=tally.max_latency,
        kernel_known=flow.kernel_drops is not None,
        lab_receiver=flow.lab_receiver,
    )


def _reads_per_message(flow: _Flow, arrivals_of: list[tuple[float, ...]]) -> list[int]:
    """How many copies of each message the receiver read. A read takes the earliest copy that
    had arrived with the same bytes (a socket's queue is first in, first out), or else the
    earliest that had arrived. (Reads come in time order: what has arrived only grows.)"""
    copies = sorted((at, index) for index, arrivals in enumerate(arrivals_of) for at in arrivals)
    taken = [False] * len(copies)
    reads = [0] * len(arrivals_of)
    arrived: deque[int] = deque()  # copies arrived and not yet taken (some taken: skipped)
    by_bytes: dict[Any, deque[int]] = defaultdict(deque)  # the same, by what they hold
    come = 0  # copies[:come] have arrived
    for read_at, payload in flow.reads:
        while come < len(copies) and copies[come][0] <= read_at + _SAME_MOMENT:
            arrived.append(come)
            by_bytes[flow.messages[copies[come][1]].bytes].append(come)
            come += 1
        chosen = _first_untaken(by_bytes.get(payload), taken)
        if chosen is None:
            chosen = _first_untaken(arrived, taken)
        if chosen is not None:
            taken[chosen] = True
            reads[copies[chosen][1]] += 1
    return reads


def _first_untaken(queue: deque[int] | None, taken: list[bool]) -> int | None:
    while queue:
        if not taken[queue[0]]:
            return queue.popleft()
        queue.popleft()
    return None


def _not_read(kernel_drops: int | None, never_read: int) -> str:
    """A message that arrived and was not read: dropped by the kernel, or left in the queue.
    Which, the kernel says only as a count: a mark per message only where the count decides."""
    if not kernel_drops:
        return UNREAD
    return KERNEL if kernel_drops >= never_read else KERNEL_OR_UNREAD


def _late(arrivals_of: list[tuple[float, ...]]) -> list[bool]:
    """Whether each message's first copy arrived after the first copy of one sent later."""
    late, earliest_after = [False] * len(arrivals_of), float("inf")
    for index in range(len(arrivals_of) - 1, -1, -1):
        arrivals = arrivals_of[index]
        if arrivals:
            first = min(arrivals)
            late[index] = first > earliest_after
            earliest_after = min(earliest_after, first)
    return late


def _tcp_stats(
    tally: _Tally, flow: _Flow, link_events: dict[str, list[Event]], now: float
) -> FlowStats:
    segments = [e.extra for sender in flow.senders for e in link_events.get(sender, ())]
    offset = 0
    for number, message in enumerate(flow.messages, start=1):
        end = offset + message.size
        releases = [s["release_at"] for s in segments if offset <= s["start"] < end]
        undecided = message.held and not releases  # the link has not cut it up yet
        arrival = max(releases) if releases else float("inf") if undecided else message.sent_at
        read = end <= flow.received_bytes and flow.lab_receiver
        if not flow.lab_receiver:
            fate = OUTSIDE
        else:
            fate = READ if read else ON_THE_LINK if arrival > now + _SAME_MOMENT else UNREAD
        arrivals = (arrival,) if read else ()
        fate_of = MessageFate(
            tally.name, number, message.size, message.sent_at, arrivals, fate=fate
        )
        tally.add(fate_of, arrived_by=float("inf"))  # read: its latency counts, whenever
        offset = end
    # Where both sides had seen the same number of bytes, their checksums must agree. The
    # stream is in order only if that can be checked at the last byte read; otherwise, not known.
    sent, received = flow.sent_checksums, flow.received_checksums
    common = sent.keys() & received.keys()
    in_order: bool | None = None
    if any(sent[count] != received[count] for count in common):
        in_order = False
    elif received and max(received) in common:
        in_order = True
    return FlowStats(
        name=tally.name,
        transport="TCP",
        sent=tally.sent,
        sent_bytes=tally.sent_bytes,
        delivered=tally.read,
        delivered_bytes=flow.received_bytes,
        retransmitted=sum(s.get("losses", 0) for s in segments),
        max_latency=tally.max_latency,
        in_order=in_order,
        lab_receiver=flow.lab_receiver,
        lab_sender=flow.lab_sender,
    )


def _messages(count: int) -> str:
    return f"{count} message" if count == 1 else f"{count} messages"


def summary(analysis: Analysis) -> list[str]:
    """One plain line per flow, e.g. ``TCP ...: 50/50 in order, 180 ms late at worst``."""
    lines = []
    for flow in analysis.flows:
        late = f", {flow.max_latency * 1000:.0f} ms late at worst" if flow.max_latency else ""
        if not flow.lab_sender:
            lines.append(
                f"{flow.name}: {flow.delivered_bytes} bytes read from a peer whose side is not "
                "traced (what it sent is not known)"
            )
        elif not flow.lab_receiver and flow.transport == "TCP":
            lines.append(
                f"{flow.name}: {_messages(flow.sent)} ({flow.sent_bytes} bytes) sent to a peer "
                "whose side is not traced (what it read is not known)"
            )
        elif flow.transport == "TCP":
            order = {True: " in order", False: " OUT OF ORDER", None: ""}[flow.in_order]
            plural = "" if flow.retransmitted == 1 else "s"
            resent = (
                f", {flow.retransmitted} segment{plural} sent again" if flow.retransmitted else ""
            )
            lines.append(
                f"{flow.name}: {flow.delivered}/{_messages(flow.sent)}{order} "
                f"({flow.delivered_bytes}/{flow.sent_bytes} bytes){late}{resent}"
            )
        else:
            kernel = (
                f"{flow.dropped_kernel} dropped by the kernel"
                if flow.kernel_known
                else "the kernel's drops not yet known"
            )
            lines.append(
                f"{flow.name}: {flow.delivered} read of {flow.sent} sent; "
                f"{flow.dropped_link} lost on the link, {kernel}, {flow.duplicated} "
                f"duplicated, {flow.late} late (after one sent later){late}"
            )
    return lines

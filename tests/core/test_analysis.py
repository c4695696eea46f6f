"""The delivery analysis alone, from event lists made by hand.

Every expected number here was worked out by hand from the story each test tells (which
datagram was lost, which arrived twice, which bytes were read in what order) and is written
as a literal; the checksums are plain ``zlib.crc32`` of the bytes, as the shim computes them.
Nothing expected is computed by netlab.
"""

from __future__ import annotations

import zlib
from typing import Any

import pytest

from netlab.core import events as ev
from netlab.core.analysis import (
    DUPLICATED,
    KERNEL,
    KERNEL_OR_UNREAD,
    LOST,
    NO_RECEIVER,
    ON_THE_LINK,
    READ,
    UNREAD,
    Sockets,
    analyse,
    summary,
)
from netlab.core.events import Event, SockInfo

HOST = "127.0.0.1"
SERVER_PORT, CLIENT_PORT, OTHER_PORT = 5000, 40000, 40001


class Log:
    """Events numbered as they are added."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, kind: str, actor: str, **fields: Any) -> None:
        self.events.append(Event(len(self.events) + 1, kind, actor, **fields))


def udp(sock_id: str, port: int) -> SockInfo:
    return SockInfo(sock_id, 3, "AF_INET", "SOCK_DGRAM", [HOST, port], None)


def tcp(sock_id: str, port: int, peer_port: int) -> SockInfo:
    return SockInfo(sock_id, 4, "AF_INET", "SOCK_STREAM", [HOST, port], [HOST, peer_port])


# -- UDP ------------------------------------------------------------------------------------------

UDP_SERVER = udp("server#1", SERVER_PORT)


def send_datagram(log: Log, sender: SockInfo, actor: str, at: float, arrivals: list[float]):
    payload = b"%06d" % len(log.events)
    log.add(
        ev.RETURN,
        actor,
        vtime=at,
        op="sendto",
        args=("<6 bytes>", [HOST, SERVER_PORT]),
        sock=sender,
        data=payload,
        data_len=6,
    )
    log.add(
        ev.LINK,
        actor,
        vtime=at,
        op="datagram",
        sock=sender,
        extra={"transport": "udp", "arrivals": arrivals, "modelled": True},
    )


def read_datagram(log: Log, at: float) -> None:
    log.add(
        ev.RETURN,
        "server",
        vtime=at,
        op="recvfrom",
        args=(1024,),
        sock=UDP_SERVER,
        data=b"000000",
        data_len=6,
        result=[HOST, CLIENT_PORT],
    )


def lossy_udp_log() -> Log:
    """Five datagrams, 0.1 s apart, on a modelled link:
    #1 arrives after 10 ms; #2 is lost; #3 arrives twice (after 50 and 70 ms);
    #4 takes 150 ms, so #5 (10 ms) overtakes it. The server reads #1, both copies of #3 and
    #5, and never reads #4."""
    log = Log()
    log.add(ev.RETURN, "server", op="bind", args=([HOST, SERVER_PORT],), sock=UDP_SERVER)
    client = udp("client#1", CLIENT_PORT)
    send_datagram(log, client, "client", 0.0, [0.010])
    send_datagram(log, client, "client", 0.1, [])
    send_datagram(log, client, "client", 0.2, [0.250, 0.270])
    send_datagram(log, client, "client", 0.3, [0.450])
    send_datagram(log, client, "client", 0.4, [0.410])
    for at in (0.010, 0.250, 0.270, 0.410):
        read_datagram(log, at)
    return log


def test_udp_counts_what_was_sent_lost_duplicated_reordered_and_read() -> None:
    analysis = analyse(lossy_udp_log().events)
    (flow,) = analysis.flows
    assert (flow.name, flow.transport) == ("UDP to server#1", "UDP")
    assert (flow.sent, flow.sent_bytes, flow.delivered, flow.delivered_bytes) == (5, 30, 4, 24)
    assert (flow.dropped_link, flow.dropped_kernel, flow.duplicated) == (1, 0, 1)
    assert flow.late == 1  # #4: it arrived after #5
    # #4 (150 ms) is still on the link at the last event (0.41 s): the worst so far is #3.
    assert flow.max_latency == pytest.approx(0.050)
    assert flow.unread == 1  # #4 reached the socket; nobody read it
    assert flow.in_order is None and flow.retransmitted == 0
    assert flow.balanced()


def test_the_flows_alone_from_events_gone_through_once() -> None:
    """A long lab's report: the sockets learnt as the lab went, the events read back once, and
    no message's fate kept; the flows are the same."""
    events = lossy_udp_log().events
    sockets = Sockets()
    for event in events:
        sockets.see(event)
    once = iter(events)  # an iterator: a second pass would find nothing
    analysis = analyse(once, messages=0, sockets=sockets)
    assert analysis.flows == analyse(events).flows
    assert analysis.messages == []


def test_each_datagram_s_fate() -> None:
    fates = analyse(lossy_udp_log().events).messages
    assert [f.number for f in fates] == [1, 2, 3, 4, 5]
    assert [f.lost for f in fates] == [False, True, False, False, False]
    assert [f.late for f in fates] == [False, False, False, True, False]
    # At the last event (0.41 s) #4 is still on the link.
    assert [f.fate for f in fates] == [READ, LOST, DUPLICATED, ON_THE_LINK, READ]
    assert [len(f.arrivals) for f in fates] == [1, 0, 2, 1, 1]
    assert [f.latency for f in fates] == [
        pytest.approx(0.010),
        None,
        pytest.approx(0.050),
        pytest.approx(0.150),
        pytest.approx(0.010),
    ]
    assert [f.sent_at for f in fates] == [0.0, 0.1, 0.2, 0.3, 0.4]


def test_a_datagram_is_late_if_it_arrives_after_one_sent_later() -> None:
    """Sent 1, 2, 3, 4, arriving at 0.30, 0.10, 0.20 and 0.40 s: #1 arrives after #2 and #3,
    which were sent after it: #1 is late (as a receiver counting numbers sees it: 1 after 3).
    #2, #3 and #4 are not."""
    log = Log()
    client = udp("client#1", CLIENT_PORT)
    for at, arrival in ((0.0, 0.30), (0.01, 0.10), (0.02, 0.20), (0.03, 0.40)):
        send_datagram(log, client, "client", at, [arrival])
    (flow,) = analyse(log.events).flows
    assert [f.late for f in analyse(log.events).messages] == [True, False, False, False]
    assert flow.late == 1


def test_two_senders_to_one_socket_are_one_flow_with_each_sender_s_own_decisions() -> None:
    """client-1's first datagram is lost, client-2's arrives; their sends interleave."""
    log = Log()
    log.add(ev.RETURN, "server", op="bind", args=([HOST, SERVER_PORT],), sock=UDP_SERVER)
    one, two = udp("client-1#1", CLIENT_PORT), udp("client-2#1", OTHER_PORT)
    log.add(
        ev.RETURN,
        "client-1",
        op="sendto",
        args=("<6 bytes>", [HOST, SERVER_PORT]),
        sock=one,
        data=b"one-01",
        data_len=6,
    )
    log.add(
        ev.RETURN,
        "client-2",
        vtime=0.001,
        op="sendto",
        args=("<4>", [HOST, SERVER_PORT]),
        sock=two,
        data=b"two1",
        data_len=4,
    )
    # The link's decisions come in another order than the sends: each is its sender's.
    log.add(ev.LINK, "client-2", sock=two, extra={"arrivals": [0.021], "modelled": True})
    log.add(ev.LINK, "client-1", sock=one, extra={"arrivals": [], "modelled": True})
    read_datagram(log, 0.021)
    (flow,) = analyse(log.events).flows
    assert (flow.name, flow.sent, flow.sent_bytes, flow.delivered) == ("UDP to server#1", 2, 10, 1)
    assert flow.dropped_link == 1 and flow.unread == 0
    fates = analyse(log.events).messages
    assert [(f.size, f.lost) for f in fates] == [(6, True), (4, False)]
    assert fates[1].latency == pytest.approx(0.020)


@pytest.mark.parametrize("where", ["actor-exit", "close"])
def test_kernel_drops_come_from_the_receiver_s_counters(where: str) -> None:
    """No modelled link: three datagrams handed to the kernel at once, which dropped two
    (its receive buffer was full) — one was read."""
    log = Log()
    log.add(ev.RETURN, "server", op="bind", args=([HOST, SERVER_PORT],), sock=UDP_SERVER)
    client = udp("client#1", CLIENT_PORT)
    for n in range(3):
        log.add(
            ev.RETURN,
            "client",
            op="sendto",
            args=("<6>", [HOST, SERVER_PORT]),
            sock=client,
            data=b"x" * 6,
            data_len=6,
            vtime=n * 0.5,
        )
    read_datagram(log, 1.0)
    if where == "close":
        log.add(ev.RETURN, "server", op="close", sock=UDP_SERVER, extra={"kernel_drops": 2})
    else:
        counters = {"server#1": {"kernel_drops": 2}}
        log.add(ev.ACTOR_EXIT, "server", result="ok", extra={"counters": counters})
    analysis = analyse(log.events)
    (flow,) = analysis.flows
    assert (flow.sent, flow.delivered, flow.dropped_link, flow.dropped_kernel) == (3, 1, 0, 2)
    assert flow.duplicated == 0 and flow.late == 0
    # The read took the first (the queue is first in, first out); the kernel's two drops are
    # the two never read: a mark per message, as the count decides it.
    assert [f.fate for f in analysis.messages] == [READ, KERNEL, KERNEL]
    assert flow.unread == 0 and flow.balanced()
    assert flow.max_latency == 0.0  # handed over at once


def test_a_datagram_to_an_address_that_is_no_lab_socket_is_named_by_its_address() -> None:
    log = Log()
    log.add(
        ev.RETURN,
        "client",
        op="sendto",
        args=("<2>", [HOST, 9]),
        sock=udp("client#1", CLIENT_PORT),
        data=b"hi",
        data_len=2,
    )
    (flow,) = analyse(log.events).flows
    assert (flow.name, flow.sent, flow.delivered) == ("UDP to 127.0.0.1:9", 1, 0)
    assert flow.unread == 1


def test_udp_that_reads_more_than_was_sent_and_duplicated_does_not_balance() -> None:
    """Two datagrams read, one sent and none doubled: an event log that cannot be whole."""
    log = Log()
    log.add(ev.RETURN, "server", op="bind", args=([HOST, SERVER_PORT],), sock=UDP_SERVER)
    send_datagram(log, udp("client#1", CLIENT_PORT), "client", 0.0, [0.010])
    read_datagram(log, 0.010)
    read_datagram(log, 0.020)
    (flow,) = analyse(log.events).flows
    assert (flow.sent, flow.delivered, flow.unread) == (1, 2, -1)
    assert not flow.balanced()


def test_the_udp_summary_line_and_json() -> None:
    analysis = analyse(lossy_udp_log().events)
    assert summary(analysis) == [
        "UDP to server#1: 4 read of 5 sent; 1 lost on the link, the kernel's drops not yet "
        "known, 1 duplicated, 1 late (after one sent later), 50 ms late at worst"
    ]
    (flow,) = analysis.to_json()["flows"]
    assert (flow["sent"], flow["unread"], flow["balanced"]) == (5, 1, True)


# -- TCP ------------------------------------------------------------------------------------------

CLIENT = tcp("client#1", CLIENT_PORT, SERVER_PORT)
ACCEPTED = tcp("server#2", SERVER_PORT, CLIENT_PORT)
LISTENER = SockInfo("server#1", 3, "AF_INET", "SOCK_STREAM", [HOST, SERVER_PORT], None)


def segment(log: Log, at: float, start: int, end: int, losses: int, release: float) -> None:
    log.add(
        ev.LINK,
        "client",
        vtime=at,
        op="segment",
        sock=CLIENT,
        extra={
            "transport": "tcp",
            "start": start,
            "end": end,
            "losses": losses,
            "sent_at": at,
            "arrive_at": release,
            "release_at": release,
            "modelled": True,
        },
    )


def tcp_log(reads: list[bytes], *, link: bool = True) -> Log:
    """The client sends b"hello " at 0 s and b"world" at 0.1 s. With ``link``, in 4-byte
    segments: [0,4) arrives at 0.010; [4,6) is lost once and arrives after the 200 ms RTO, at
    0.210; [6,10) arrives at 0.110 but is held behind it until 0.210; [10,11) is lost twice
    (200 + 400 ms) and arrives at 0.710. The server reads ``reads``, 0.1 s apart from 1 s
    (after the last arrival), each with the running crc32 of what it has read so far, then
    the end of the stream."""
    log = Log()
    log.add(ev.RETURN, "server", op="accept", sock=LISTENER, new_sock=ACCEPTED)
    sent_crc = 0
    for at, data in ((0.0, b"hello "), (0.1, b"world")):
        sent_crc = zlib.crc32(data, sent_crc)
        log.add(
            ev.RETURN,
            "client",
            vtime=at,
            op="sendall",
            args=(f"<{len(data)} bytes>",),
            sock=CLIENT,
            data=data,
            data_len=len(data),
            extra={"crc": sent_crc},
        )
        if link and at == 0.0:
            segment(log, at, 0, 4, 0, 0.010)
            segment(log, at, 4, 6, 1, 0.210)
        elif link:
            segment(log, at, 6, 10, 0, 0.210)
            segment(log, at, 10, 11, 2, 0.710)
    read_crc = 0
    for n, data in enumerate(reads):
        read_crc = zlib.crc32(data, read_crc)
        log.add(
            ev.RETURN,
            "server",
            vtime=1.0 + n / 10,
            op="recv",
            args=(1024,),
            sock=ACCEPTED,
            data=data,
            data_len=len(data),
            extra={"crc": read_crc},
        )
    log.add(
        ev.RETURN,
        "server",
        vtime=2.0,
        op="recv",
        args=(1024,),
        sock=ACCEPTED,
        data=b"",
        data_len=0,
        extra={"crc": read_crc},
    )
    return log


def test_a_tcp_stream_read_in_order_in_other_pieces() -> None:
    analysis = analyse(tcp_log([b"hell", b"o worl", b"d"]).events)
    (flow,) = analysis.flows
    assert (flow.name, flow.transport) == ("TCP client#1 -> server#2", "TCP")
    assert (flow.sent, flow.delivered, flow.sent_bytes, flow.delivered_bytes) == (2, 2, 11, 11)
    assert flow.in_order is True and flow.balanced()
    assert flow.retransmitted == 3  # [4,6) once, [10,11) twice
    assert flow.max_latency == pytest.approx(0.610)  # "world": sent at 0.1, whole at 0.710
    assert [f.arrivals for f in analysis.messages] == [
        (pytest.approx(0.210),),  # "hello ": its last segment, [4,6), came at 0.210
        (pytest.approx(0.710),),
    ]
    assert (flow.dropped_link, flow.duplicated, flow.late, flow.unread) == (0, 0, 0, 0)
    assert summary(analysis) == [
        "TCP client#1 -> server#2: 2/2 messages in order (11/11 bytes), 610 ms late at worst, "
        "3 segments sent again"
    ]


def test_a_tcp_stream_without_a_modelled_link_arrives_as_it_is_sent() -> None:
    (flow,) = analyse(tcp_log([b"hello world"], link=False).events).flows
    assert (flow.delivered, flow.delivered_bytes, flow.in_order) == (2, 11, True)
    assert (flow.retransmitted, flow.max_latency) == (0, 0.0)  # handed over at once


@pytest.mark.parametrize(
    "reads",
    [
        pytest.param([b"world", b"hello "], id="out of order"),
        pytest.param([b"hello ", b"rld", b"wo"], id="a gap filled late"),
        pytest.param([b"hello ", b"hello"], id="a duplicate instead of the rest"),
        pytest.param([b"hello ", b"w0rld"], id="a byte changed: checksum mismatch"),
    ],
)
def test_a_tcp_stream_read_otherwise_than_sent_is_not_in_order(reads: list[bytes]) -> None:
    """Each reads 11 bytes, as many as were sent, but not the bytes sent in their order: only
    the checksums can tell."""
    analysis = analyse(tcp_log(reads).events)
    (flow,) = analysis.flows
    assert (flow.sent_bytes, flow.delivered_bytes) == (11, 11)
    assert flow.in_order is False
    assert not flow.balanced()
    assert " OUT OF ORDER " in summary(analysis)[0]


def test_a_tcp_stream_read_only_in_part_delivers_only_the_messages_read_whole() -> None:
    (flow,) = analyse(tcp_log([b"hello ", b"wor"]).events).flows
    assert (flow.sent, flow.delivered, flow.delivered_bytes) == (2, 1, 9)
    assert flow.in_order is None  # agrees at 6 bytes; its last 3 cannot be checked
    assert flow.balanced()


def test_a_tcp_stream_read_with_a_gap_is_not_said_to_be_in_order() -> None:
    (flow,) = analyse(tcp_log([b"hello ", b"rld"]).events).flows
    assert (flow.delivered, flow.delivered_bytes) == (1, 9)
    assert flow.in_order is not True


def test_a_tcp_stream_whose_checksums_never_meet_is_not_known_to_be_in_order() -> None:
    """Sender checksums at 6 and 11 bytes, reader's at 4 and 8: no count in common."""
    (flow,) = analyse(tcp_log([b"hell", b"o wo"]).events).flows
    assert flow.in_order is None and flow.delivered_bytes == 8


# -- each message's one fate, which the table, the strip and its legend all read -------------


def three_datagrams_one_read(kernel_drops: int | None) -> Log:
    log = Log()
    log.add(ev.RETURN, "server", op="bind", args=([HOST, SERVER_PORT],), sock=UDP_SERVER)
    client = udp("client#1", CLIENT_PORT)
    for n in range(3):
        send_datagram(log, client, "client", n * 0.1, [n * 0.1 + 0.01])
    read_datagram(log, 0.5)
    extra = {} if kernel_drops is None else {"kernel_drops": kernel_drops}
    log.add(ev.RETURN, "server", op="close", vtime=0.6, sock=UDP_SERVER, extra=extra)
    return log


@pytest.mark.parametrize(
    ("kernel_drops", "not_read"),
    [(None, UNREAD), (0, UNREAD), (2, KERNEL), (1, KERNEL_OR_UNREAD)],
    ids=["drops not known", "no drops", "every one not read was dropped", "some of them"],
)
def test_a_datagram_not_read_is_marked_only_as_the_kernel_s_count_decides(
    kernel_drops: int | None, not_read: str
) -> None:
    analysis = analyse(three_datagrams_one_read(kernel_drops).events)
    assert [f.fate for f in analysis.messages] == [READ, not_read, not_read]
    assert analysis.flows[0].kernel_known is (kernel_drops is not None)


def test_a_read_takes_the_copy_with_its_bytes_when_the_kernel_dropped_one_between() -> None:
    """#1 and #3 hold the bytes the server read; #2 (other bytes) was dropped in between."""
    log = Log()
    log.add(ev.RETURN, "server", op="bind", args=([HOST, SERVER_PORT],), sock=UDP_SERVER)
    client = udp("client#1", CLIENT_PORT)
    for n, payload in enumerate((b"000000", b"111111", b"000000")):
        log.add(
            ev.RETURN,
            "client",
            op="sendto",
            vtime=n * 0.1,
            args=("<6 bytes>", [HOST, SERVER_PORT]),
            sock=client,
            data=payload,
            data_len=6,
        )
    read_datagram(log, 0.5)
    read_datagram(log, 0.5)
    log.add(ev.RETURN, "server", op="close", vtime=0.6, sock=UDP_SERVER, extra={"kernel_drops": 1})
    assert [f.fate for f in analyse(log.events).messages] == [READ, KERNEL, READ]


def test_a_datagram_to_an_address_no_lab_socket_has_has_no_receiver() -> None:
    log = Log()
    send_datagram(log, udp("client#1", CLIENT_PORT), "client", 0.0, [0.01])
    log.add(ev.RETURN, "client", op="close", vtime=0.1, sock=udp("client#1", CLIENT_PORT))
    (fate,) = analyse(log.events).messages
    assert fate.fate == NO_RECEIVER and not fate.lost


def test_a_tcp_message_not_read_yet_is_not_lost() -> None:
    """TCP loses nothing (the link's losses are sent again): bytes sent and not read wait."""
    log = Log()
    log.add(ev.RETURN, "server", op="bind", args=([HOST, SERVER_PORT],), sock=UDP_SERVER)
    listener = tcp("server#1", SERVER_PORT, 0)
    accepted = tcp("server#2", SERVER_PORT, CLIENT_PORT)
    client = tcp("client#1", CLIENT_PORT, SERVER_PORT)
    log.add(ev.RETURN, "server", op="accept", sock=listener, new_sock=accepted)
    for at, data in ((0.0, b"hello "), (0.1, b"world")):
        log.add(
            ev.RETURN, "client", op="send", vtime=at, sock=client, data=data, data_len=len(data)
        )
    log.add(ev.RETURN, "server", op="recv", vtime=0.2, sock=accepted, data=b"hello ", data_len=6)
    fates = analyse(log.events).messages
    assert [f.fate for f in fates] == [READ, UNREAD]
    assert not any(f.lost for f in fates)


def test_a_send_the_link_has_not_decided_yet_is_on_the_link_not_arrived() -> None:
    """Right after the send (its link decision comes as the next event), on a modelled link."""
    log = Log()
    log.add(ev.RETURN, "server", op="bind", args=([HOST, SERVER_PORT],), sock=UDP_SERVER)
    log.add(
        ev.RETURN,
        "client",
        op="sendto",
        args=("<6 bytes>", [HOST, SERVER_PORT]),
        sock=udp("client#1", CLIENT_PORT),
        data=b"000000",
        data_len=6,
        extra={"tx": 1},
    )
    (fate,) = analyse(log.events).messages
    assert fate.fate == ON_THE_LINK
    assert analyse(log.events).flows[0].max_latency is None


def test_the_kernel_s_drops_seen_as_the_lab_is_stepped_mark_what_was_not_read() -> None:
    log = three_datagrams_one_read(None)
    log.events.pop()  # not closed yet: the drops so far come from the kernel's view
    log.add(ev.KERNEL, "", extra={"sockets": {"server#1": ["UNCONN", 0, 0, 2]}})
    analysis = analyse(log.events)
    assert analysis.flows[0].kernel_known and analysis.flows[0].dropped_kernel == 2
    assert [f.fate for f in analysis.messages] == [READ, KERNEL, KERNEL]


def test_only_the_first_fates_of_a_flow_are_kept_when_asked_and_the_counts_stay_whole() -> None:
    events = lossy_udp_log().events
    whole = analyse(events)
    first = analyse(events, messages=2)
    assert first.flows == whole.flows
    assert first.messages == whole.messages[:2]

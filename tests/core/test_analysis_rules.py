"""The delivery analysis's smaller rules, one test each, from event lists made by hand.

Like test_analysis.py (whose helpers these tests share), every expected value is worked out
by hand from the story the test tells and written as a literal; nothing expected is
computed by netlab.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from netlab.core import events as ev
from netlab.core.analysis import analyse, summary
from netlab.core.events import SockInfo

from .test_analysis import (
    ACCEPTED,
    CLIENT,
    CLIENT_PORT,
    HOST,
    LISTENER,
    SERVER_PORT,
    UDP_SERVER,
    Log,
    read_datagram,
    segment,
    send_datagram,
    tcp_log,
    udp,
)

CLIENT_UDP = udp("client#1", CLIENT_PORT)


def sendto(log: Log, sender: SockInfo, destination: Any, *, size: int = 6, at: float = 0.0):
    log.add(
        ev.RETURN,
        "client",
        vtime=at,
        op="sendto",
        args=(f"<{size} bytes>", destination),
        sock=sender,
        data=b"x" * size,
        data_len=size,
    )


def tcp_send(log: Log, data: bytes, at: float, sock: SockInfo = CLIENT) -> None:
    log.add(
        ev.RETURN,
        "client",
        vtime=at,
        op="sendall",
        args=(f"<{len(data)} bytes>",),
        sock=sock,
        data=data,
        data_len=len(data),
    )


def tcp_read(log: Log, data: bytes, at: float, sock: SockInfo = ACCEPTED) -> None:
    log.add(
        ev.RETURN,
        "server",
        vtime=at,
        op="recv",
        args=(1024,),
        sock=sock,
        data=data,
        data_len=len(data),
    )


def bare_segment(log: Log, at: float, start: int, end: int, release: float) -> None:
    """A segment decision that says nothing of losses."""
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
            "release_at": release,
            "modelled": True,
        },
    )


# -- who receives: addresses ----------------------------------------------------------------------


@pytest.mark.parametrize("host", ["localhost", "", "0.0.0.0"])
def test_a_datagram_sent_to_a_name_of_this_host_reaches_the_socket_bound_there(host: str) -> None:
    log = Log()
    log.add(ev.RETURN, "server", op="bind", args=([HOST, SERVER_PORT],), sock=UDP_SERVER)
    sendto(log, CLIENT_UDP, [host, SERVER_PORT])
    read_datagram(log, 0.0)
    (flow,) = analyse(log.events).flows
    assert (flow.name, flow.sent, flow.delivered, flow.unread) == ("UDP to server#1", 1, 1, 0)


def test_a_socket_bound_to_any_address_receives_what_is_sent_to_127_0_0_1() -> None:
    log = Log()
    anywhere = replace(UDP_SERVER, local=["0.0.0.0", SERVER_PORT])
    log.add(ev.RETURN, "server", op="bind", args=(["0.0.0.0", SERVER_PORT],), sock=anywhere)
    sendto(log, CLIENT_UDP, [HOST, SERVER_PORT])
    (flow,) = analyse(log.events).flows
    assert (flow.name, flow.sent, flow.unread) == ("UDP to server#1", 1, 1)


def test_sockets_on_the_same_port_of_two_hosts_are_two_receivers() -> None:
    log = Log()
    one = udp("one#1", SERVER_PORT)
    two = replace(udp("two#1", SERVER_PORT), local=["127.0.0.2", SERVER_PORT])
    log.add(ev.RETURN, "one", op="bind", args=([HOST, SERVER_PORT],), sock=one)
    log.add(ev.RETURN, "two", op="bind", args=(["127.0.0.2", SERVER_PORT],), sock=two)
    sendto(log, CLIENT_UDP, [HOST, SERVER_PORT], size=1)
    sendto(log, CLIENT_UDP, ["127.0.0.2", SERVER_PORT], size=2)
    flows = analyse(log.events).flows
    assert [(f.name, f.sent_bytes) for f in flows] == [("UDP to one#1", 1), ("UDP to two#1", 2)]


def test_unix_datagram_sockets_are_told_apart_by_their_whole_path() -> None:
    """Two paths with the same first characters; a third that is no lab socket is named by
    its path."""
    log = Log()
    one = SockInfo("one#1", 3, "AF_UNIX", "SOCK_DGRAM", "/tmp/lab-one", None)
    two = SockInfo("two#1", 3, "AF_UNIX", "SOCK_DGRAM", "/tmp/lab-two", None)
    sender = SockInfo("client#1", 3, "AF_UNIX", "SOCK_DGRAM", "/tmp/lab-client", None)
    log.add(ev.RETURN, "one", op="bind", args=("/tmp/lab-one",), sock=one)
    log.add(ev.RETURN, "two", op="bind", args=("/tmp/lab-two",), sock=two)
    sendto(log, sender, "/tmp/lab-one", size=1)
    sendto(log, sender, "/tmp/lab-two", size=2)
    sendto(log, sender, "/tmp/nowhere", size=3)
    flows = analyse(log.events).flows
    assert [(f.name, f.sent_bytes) for f in flows] == [
        ("UDP to one#1", 1),
        ("UDP to two#1", 2),
        ("UDP to /tmp/nowhere", 3),
    ]


def test_send_on_a_connected_udp_socket_goes_to_its_peer() -> None:
    log = Log()
    log.add(ev.RETURN, "server", op="bind", args=([HOST, SERVER_PORT],), sock=UDP_SERVER)
    connected = replace(CLIENT_UDP, peer=[HOST, SERVER_PORT])
    log.add(
        ev.RETURN,
        "client",
        op="send",
        args=("<6 bytes>",),
        sock=connected,
        data=b"x" * 6,
        data_len=6,
        result=6,
    )
    (flow,) = analyse(log.events).flows
    assert (flow.name, flow.sent) == ("UDP to server#1", 1)


def test_sendto_with_flags_goes_to_its_last_argument() -> None:
    log = Log()
    log.add(ev.RETURN, "server", op="bind", args=([HOST, SERVER_PORT],), sock=UDP_SERVER)
    log.add(
        ev.RETURN,
        "client",
        op="sendto",
        args=("<6 bytes>", 0, [HOST, SERVER_PORT]),
        sock=CLIENT_UDP,
        data=b"x" * 6,
        data_len=6,
    )
    (flow,) = analyse(log.events).flows
    assert (flow.name, flow.sent) == ("UDP to server#1", 1)


def test_a_tcp_stream_to_a_peer_that_is_no_lab_socket_is_named_by_the_peer_s_address() -> None:
    log = Log()
    tcp_send(log, b"hello", 0.0)
    (flow,) = analyse(log.events).flows
    assert (flow.name, flow.transport) == ("TCP client#1 -> 127.0.0.1:5000", "TCP")
    assert (flow.sent, flow.delivered, flow.delivered_bytes, flow.max_latency) == (1, 0, 0, None)
    assert flow.in_order is None and flow.balanced()


# -- which snapshot of a socket counts ------------------------------------------------------------


def test_a_socket_s_addresses_come_from_its_latest_snapshot_that_had_them() -> None:
    """The client's socket is first seen with no address at all (just made), then bound
    (its own address only); connect() gives it both. The server's socket is last seen
    closed, with no address: its connected snapshot still counts."""
    log = Log()
    made = SockInfo("client#1", 4, "AF_INET", "SOCK_STREAM", None, None)
    log.add(ev.RETURN, "client", op="socket", sock=made)
    bound = replace(CLIENT, peer=None)
    log.add(ev.RETURN, "client", op="bind", args=([HOST, CLIENT_PORT],), sock=bound)
    log.add(ev.RETURN, "client", op="connect", args=([HOST, SERVER_PORT],), sock=CLIENT)
    log.add(ev.RETURN, "server", op="accept", sock=LISTENER, new_sock=ACCEPTED)
    tcp_send(log, b"hello", 0.0)
    tcp_read(log, b"hello", 0.5)
    log.add(ev.RETURN, "server", op="close", sock=replace(ACCEPTED, local=None, peer=None))
    (flow,) = analyse(log.events).flows
    assert (flow.name, flow.delivered, flow.delivered_bytes) == ("TCP client#1 -> server#2", 1, 5)


def test_a_udp_receiver_last_seen_closed_still_names_its_flow() -> None:
    log = Log()
    log.add(ev.RETURN, "server", op="bind", args=([HOST, SERVER_PORT],), sock=UDP_SERVER)
    sendto(log, CLIENT_UDP, [HOST, SERVER_PORT])
    read_datagram(log, 0.0)
    log.add(ev.RETURN, "server", op="close", sock=replace(UDP_SERVER, local=None))
    (flow,) = analyse(log.events).flows
    assert (flow.name, flow.sent, flow.delivered) == ("UDP to server#1", 1, 1)


# -- flows seen first from the receiving side -----------------------------------------------------


def test_a_udp_flow_seen_only_by_its_reader_is_udp_and_has_its_kernel_drops() -> None:
    """The server reads one datagram from a sender that is not traced, and its kernel
    dropped two: nothing was seen sent, so the books cannot balance."""
    log = Log()
    log.add(ev.RETURN, "server", op="bind", args=([HOST, SERVER_PORT],), sock=UDP_SERVER)
    read_datagram(log, 0.5)
    log.add(ev.RETURN, "server", op="close", sock=UDP_SERVER, extra={"kernel_drops": 2})
    (flow,) = analyse(log.events).flows
    assert (flow.name, flow.transport) == ("UDP to server#1", "UDP")
    assert (flow.sent, flow.delivered, flow.delivered_bytes, flow.dropped_kernel) == (0, 1, 6, 2)
    assert flow.max_latency is None and flow.unread == -3 and not flow.balanced()


def test_a_tcp_flow_seen_only_by_its_reader_is_tcp_with_its_sender_s_segments() -> None:
    """The client's sends are not in the log, only the link's decisions on its segments
    (one lost once) and what the server read."""
    log = Log()
    log.add(ev.RETURN, "client", op="connect", args=([HOST, SERVER_PORT],), sock=CLIENT)
    log.add(ev.RETURN, "server", op="accept", sock=LISTENER, new_sock=ACCEPTED)
    segment(log, 0.0, 0, 5, 1, 0.210)
    tcp_read(log, b"hello", 0.5)
    analysis = analyse(log.events)
    (flow,) = analysis.flows
    assert (flow.name, flow.transport) == ("TCP client#1 -> server#2", "TCP")
    assert (flow.sent, flow.delivered, flow.sent_bytes, flow.delivered_bytes) == (0, 0, 0, 5)
    assert (flow.retransmitted, flow.max_latency, flow.in_order) == (1, None, None)
    assert analysis.messages == []


# -- UDP rules ------------------------------------------------------------------------------------


def test_an_empty_datagram_read_is_a_datagram_delivered() -> None:
    log = Log()
    log.add(ev.RETURN, "server", op="bind", args=([HOST, SERVER_PORT],), sock=UDP_SERVER)
    sendto(log, CLIENT_UDP, [HOST, SERVER_PORT], size=0)
    log.add(
        ev.RETURN,
        "server",
        op="recvfrom",
        args=(1024,),
        sock=UDP_SERVER,
        data=b"",
        data_len=0,
        result=[HOST, CLIENT_PORT],
    )
    (flow,) = analyse(log.events).flows
    assert (flow.sent, flow.sent_bytes, flow.delivered, flow.delivered_bytes) == (1, 0, 1, 0)
    assert flow.unread == 0


def test_a_link_decision_without_arrivals_is_a_loss() -> None:
    log = Log()
    sendto(log, CLIENT_UDP, [HOST, SERVER_PORT])
    log.add(ev.LINK, "client", op="datagram", sock=CLIENT_UDP, extra={"modelled": True})
    (flow,) = analyse(log.events).flows
    assert (flow.sent, flow.dropped_link, flow.max_latency) == (1, 1, None)
    assert [f.lost for f in analyse(log.events).messages] == [True]


def test_datagrams_arriving_at_the_same_instant_are_in_order() -> None:
    log = Log()
    send_datagram(log, CLIENT_UDP, "client", 0.0, [0.050])
    send_datagram(log, CLIENT_UDP, "client", 0.01, [0.050])
    (flow,) = analyse(log.events).flows
    assert flow.late == 0
    assert [f.late for f in analyse(log.events).messages] == [False, False]


def test_udp_balances_on_datagrams_not_bytes() -> None:
    """One 6-byte datagram arrives twice and both copies are read: 12 bytes read of 6 sent,
    yet 1 sent + 1 duplicated = 2 read."""
    log = Log()
    log.add(ev.RETURN, "server", op="bind", args=([HOST, SERVER_PORT],), sock=UDP_SERVER)
    send_datagram(log, CLIENT_UDP, "client", 0.0, [0.010, 0.020])
    read_datagram(log, 0.010)
    read_datagram(log, 0.020)
    (flow,) = analyse(log.events).flows
    assert (flow.sent_bytes, flow.delivered_bytes, flow.duplicated, flow.unread) == (6, 12, 1, 0)
    assert flow.balanced()
    assert analyse(log.events).to_json()["flows"][0]["balanced"] is True


def test_each_message_s_fate_names_its_flow_and_its_number() -> None:
    udp_log = Log()
    send_datagram(udp_log, CLIENT_UDP, "client", 0.0, [0.010])
    send_datagram(udp_log, CLIENT_UDP, "client", 0.1, [])
    send_datagram(udp_log, CLIENT_UDP, "client", 0.2, [0.210])
    udp_fates = analyse(udp_log.events).messages
    assert [(f.flow, f.number) for f in udp_fates] == [
        ("UDP to 127.0.0.1:5000", 1),
        ("UDP to 127.0.0.1:5000", 2),
        ("UDP to 127.0.0.1:5000", 3),
    ]
    tcp_fates = analyse(tcp_log([b"hello world"]).events).messages
    assert [(f.flow, f.number) for f in tcp_fates] == [
        ("TCP client#1 -> server#2", 1),
        ("TCP client#1 -> server#2", 2),
    ]


# -- TCP rules ------------------------------------------------------------------------------------


def tcp_segments_log(first_release: float, second_release: float) -> Log:
    """b"hello " at 0 s in one segment [0,6), b"world" at 0.1 s in one segment [6,11)."""
    log = Log()
    log.add(ev.RETURN, "server", op="accept", sock=LISTENER, new_sock=ACCEPTED)
    tcp_send(log, b"hello ", 0.0)
    segment(log, 0.0, 0, 6, 0, first_release)
    tcp_send(log, b"world", 0.1)
    segment(log, 0.1, 6, 11, 0, second_release)
    tcp_read(log, b"hello world", 1.0)
    return log


def test_a_tcp_message_arrives_with_its_own_segments_from_its_first_byte() -> None:
    """ "hello " is whole when its one segment [0,6) is released at 0.050; "world"'s segment,
    which starts where "hello " ends, is released at 0.400 and is not "hello "'s."""
    fates = analyse(tcp_segments_log(0.050, 0.400).events).messages
    assert [f.arrivals for f in fates] == [(pytest.approx(0.050),), (pytest.approx(0.400),)]
    assert [f.latency for f in fates] == [pytest.approx(0.050), pytest.approx(0.300)]


def test_a_segment_that_does_not_say_its_losses_was_not_sent_again() -> None:
    log = Log()
    log.add(ev.RETURN, "server", op="accept", sock=LISTENER, new_sock=ACCEPTED)
    tcp_send(log, b"hello", 0.0)
    bare_segment(log, 0.0, 0, 5, 0.010)
    tcp_read(log, b"hello", 0.5)
    analysis = analyse(log.events)
    (flow,) = analysis.flows
    assert (flow.retransmitted, flow.delivered) == (0, 1)
    assert flow.max_latency == pytest.approx(0.010)
    assert summary(analysis) == [
        "TCP client#1 -> server#2: 1/1 message (5/5 bytes), 10 ms late at worst"
    ]


# -- events that are not what they seem -----------------------------------------------------------


def test_only_a_returned_call_counts_not_its_start() -> None:
    """The sendto's CALL event (before it returns) carries the socket too: one datagram."""
    log = Log()
    log.add(
        ev.CALL,
        "client",
        op="sendto",
        args=("<6 bytes>", [HOST, SERVER_PORT]),
        sock=CLIENT_UDP,
        data=b"x" * 6,
        data_len=6,
    )
    sendto(log, CLIENT_UDP, [HOST, SERVER_PORT])
    (flow,) = analyse(log.events).flows
    assert (flow.sent, flow.sent_bytes) == (1, 6)


def test_a_close_or_an_exit_without_counters_changes_nothing() -> None:
    log = Log()
    log.add(ev.RETURN, "server", op="bind", args=([HOST, SERVER_PORT],), sock=UDP_SERVER)
    sendto(log, CLIENT_UDP, [HOST, SERVER_PORT])
    read_datagram(log, 0.0)
    log.add(ev.RETURN, "server", op="close", sock=UDP_SERVER)
    log.add(ev.ACTOR_EXIT, "server", result="ok")
    (flow,) = analyse(log.events).flows
    assert (flow.sent, flow.delivered, flow.dropped_kernel, flow.unread) == (1, 1, 0, 0)


def test_a_link_event_without_a_socket_is_no_decision() -> None:
    log = Log()
    sendto(log, CLIENT_UDP, [HOST, SERVER_PORT])
    log.add(ev.LINK, "client", op="datagram", extra={"arrivals": [], "modelled": True})
    (flow,) = analyse(log.events).flows
    assert (flow.sent, flow.dropped_link, flow.max_latency) == (1, 0, 0.0)


# -- summary --------------------------------------------------------------------------------------


def test_the_tcp_summary_says_nothing_of_order_lateness_or_resending_it_does_not_know() -> None:
    """No modelled link (handed over at once: 0 ms late), 9 of 11 bytes read: order not
    known, no segment sent again."""
    analysis = analyse(tcp_log([b"hello ", b"wor"], link=False).events)
    assert summary(analysis) == ["TCP client#1 -> server#2: 1/2 messages (9/11 bytes)"]


def test_the_tcp_summary_says_segment_for_one_sent_again() -> None:
    log = Log()
    log.add(ev.RETURN, "server", op="accept", sock=LISTENER, new_sock=ACCEPTED)
    tcp_send(log, b"hello", 0.0)
    segment(log, 0.0, 0, 5, 1, 0.210)
    tcp_read(log, b"hello", 0.5)
    assert summary(analyse(log.events)) == [
        "TCP client#1 -> server#2: 1/1 message (5/5 bytes), 210 ms late at worst, "
        "1 segment sent again"
    ]


def test_the_udp_summary_of_a_flow_all_lost_has_no_lateness() -> None:
    log = Log()
    send_datagram(log, CLIENT_UDP, "client", 0.0, [])
    assert summary(analyse(log.events)) == [
        "UDP to 127.0.0.1:5000: 0 read of 1 sent; 1 lost on the link, the kernel's drops "
        "not yet known, 0 duplicated, 0 late (after one sent later)"
    ]


def test_a_stream_socket_that_loses_its_peer_after_a_reset_keeps_its_flow() -> None:
    """The server reads "hello", then the client resets the connection: the server's next
    recv raises ECONNRESET, and that snapshot has no peer any more. Still one flow, 1/1."""
    log = Log()
    log.add(ev.RETURN, "server", op="accept", sock=LISTENER, new_sock=ACCEPTED)
    tcp_send(log, b"hello", 0.0)
    tcp_read(log, b"hello", 0.1)
    log.add(
        ev.RAISE,
        "server",
        vtime=0.3,
        op="recv",
        args=(1024,),
        sock=replace(ACCEPTED, peer=None),
        errno="ECONNRESET",
    )
    (flow,) = analyse(log.events).flows
    assert (flow.name, flow.sent, flow.delivered, flow.delivered_bytes) == (
        "TCP client#1 -> server#2",
        1,
        1,
        5,
    )

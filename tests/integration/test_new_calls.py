"""sendfile, recv_into and recvfrom_into: traced as one step each, printing what a run by hand
prints, on the perfect link and on a lossy one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from netlab.core import events as ev
from netlab.core import reducer, strace
from netlab.core.analysis import analyse
from netlab.core.conductor import COMPLETED, Conductor
from netlab.core.describe import event_text
from netlab.core.scenario import load_scenario
from tests.integration.by_hand import printed, run_by_hand

pytestmark = pytest.mark.timeout(60)
LAB = Path(__file__).parent.parent / "scenarios" / "files_and_buffers.py"
EXPECTED = {  # worked out by hand: bytes 10..509 of b"0123456789" * 100
    "server": ["received 500 b'012345678901'", "datagram 9 b'datagram!' 127.0.0.1"],
    "client": ["sent 0 before flush()", "sent 500 and the file is at 510", "b'ok'"],
}


def test_run_by_hand_the_lab_prints_what_is_expected() -> None:
    assert run_by_hand(LAB) == EXPECTED


@pytest.mark.parametrize("link", ["perfect", "lossy-wifi"])
def test_traced_the_lab_prints_what_a_run_by_hand_prints(link: str) -> None:
    conductor = Conductor(load_scenario(LAB), link=link, seed=3)
    conductor.run()
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    assert printed(conductor) == EXPECTED


def test_each_new_call_is_one_step_with_its_strace_line_and_counts() -> None:
    conductor = Conductor(load_scenario(LAB))
    conductor.run()
    returns = {e.op: e for e in conductor.events if e.kind == ev.RETURN}  # the last of each
    sendfile = returns["sendfile"]
    assert (sendfile.result, sendfile.data_len) == (500, 500)
    assert strace.syscall(sendfile).startswith(f"sendfile({sendfile.sock.fd}, ")
    # As strace shows it by hand: sendfile(4, 3, [10] => [510], 500) = 500
    assert strace.syscall(sendfile).endswith(", [10] => [510], 500) = 500")
    datagram = returns["recvfrom_into"]
    assert datagram.data == b"datagram!" and datagram.result[0] == "127.0.0.1"
    assert event_text(datagram).startswith("recvfrom_into(16) -> (b'datagram!', ('127.0.0.1', ")
    assert "recvfrom(" in strace.syscall(datagram)
    state = reducer.reduce(conductor.events)
    received = sum(s.bytes_in for s in state.actors["server"].sockets.values())
    sent = sum(s.bytes_out for s in state.actors["client"].sockets.values())
    assert (received, sent) == (500 + 9, 500 + 9)
    calls_made = [e.op for e in conductor.events if e.kind == ev.CALL and e.actor == "client"]
    assert calls_made.count("sendfile") == 2


BIG_SEND = Path(__file__).parent.parent / "scenarios" / "big_send.py"


def test_a_blocking_send_sends_every_byte_in_one_call_as_by_hand() -> None:
    by_hand = run_by_hand(BIG_SEND)
    assert by_hand == {"server": ["received 10000000"], "client": ["send returned 10000000"]}
    conductor = Conductor(load_scenario(BIG_SEND))
    conductor.run()
    assert printed(conductor) == by_hand
    sends = [e for e in conductor.events if e.op == "send" and e.kind in (ev.CALL, ev.RETURN)]
    assert [(e.kind, e.result) for e in sends] == [("call", None), ("return", 10_000_000)]


def test_getsockopt_so_error_after_a_non_blocking_connect_is_traced_as_strace_shows_it() -> None:
    conductor = Conductor(load_scenario(Path(LAB).parent / "nonblocking_connect.py"))
    conductor.run()
    option = next(e for e in conductor.events if e.kind == ev.RETURN and e.op == "getsockopt")
    assert (option.args, option.result) == (("SOL_SOCKET", "SO_ERROR"), 0)
    # strace -e getsockopt of the same call run by hand:
    fd = option.sock.fd
    assert strace.syscall(option) == f"getsockopt({fd}, SOL_SOCKET, SO_ERROR, [0], [4]) = 0"
    assert "SO_ERROR 0" in printed(conductor)["client"]


@pytest.mark.parametrize("options", [{}, {"seed": 3, "link": "mobile-3g"}], ids=["perfect", "3g"])
def test_a_large_transfer_gives_one_trace_every_run(options: dict[str, Any]) -> None:
    # Over a modelled link the outbox writes only what the receiver has room for and waits
    # until it has left the sender's kernel: the kernel's own timers (delayed ACKs, window
    # updates) decide nothing. Before that, 1 run in 10 read 50,053 bytes instead of 65,536.
    from tests.golden.traces import normalise, run_case

    traces = {"\n".join(normalise(run_case(str(BIG_SEND), options))) for _ in range(5)}
    assert len(traces) == 1


SEND_EDGES = Path(__file__).parent.parent / "scenarios" / "send_edges.py"


def test_edges_of_sending_print_what_a_run_by_hand_prints() -> None:
    by_hand = run_by_hand(SEND_EDGES)
    assert by_hand["client"] == ["unix buffer True", "dontwait sent part True"]
    assert by_hand["server"][3] == "datagrams [b'', b'']"
    conductor = Conductor(load_scenario(SEND_EDGES))
    conductor.run()
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    assert printed(conductor) == by_hand


REFUSED_TWICE = Path(__file__).parent.parent / "scenarios" / "refused_twice.py"


def test_a_second_connect_after_a_refusal_answers_as_by_hand() -> None:
    by_hand = run_by_hand(REFUSED_TWICE)
    assert by_hand["client"][2:5] == ["same 111 111", "then connect 111", "timeout 111 103"]
    conductor = Conductor(load_scenario(REFUSED_TWICE))
    conductor.run()
    assert printed(conductor) == by_hand


MESSAGES = Path(__file__).parent.parent / "scenarios" / "messages.py"
MESSAGES_PRINTED = {
    "server": [
        "udp b'twenty b' [] True",
        "udp b'short' False",
        "udp b'with ttl' ttl [5]",
        "tcp b'one two three'",
    ],
    "client": ["sent 19", "sent 5", "sent 8", "sent 13"],
}


def test_recvmsg_and_sendmsg_by_hand() -> None:
    assert run_by_hand(MESSAGES) == MESSAGES_PRINTED


def test_recvmsg_and_sendmsg_traced_print_what_a_run_by_hand_prints() -> None:
    conductor = Conductor(load_scenario(MESSAGES))
    conductor.run()
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    assert printed(conductor) == MESSAGES_PRINTED
    received = [e for e in conductor.events if e.kind == ev.RETURN and e.op == "recvmsg"]
    # Asked for its TTL (IP_RECVTTL) but given no room for it, the datagram says so: CTRUNC.
    first = "recvmsg(8) -> (b'twenty b', [], MSG_CTRUNC|MSG_TRUNC, ("
    assert event_text(received[0]).startswith(first)
    assert "msg_flags=MSG_CTRUNC|MSG_TRUNC}, 0) = 8" in strace.syscall(received[0])
    assert event_text(received[2]).startswith("recvmsg(64, 24) -> (b'with ttl', [1 item], 0, (")
    sent = [e for e in conductor.events if e.kind == ev.RETURN and e.op == "sendmsg"]
    assert [e.result for e in sent] == [19, 5, 8, 13]
    assert strace.syscall(sent[0]).startswith("sendmsg(3, {msg_name={sa_family=AF_INET, sin_port")
    assert strace.syscall(sent[1]).startswith("sendmsg(3, {msg_name=NULL, ")
    assert strace.syscall(sent[3]).endswith("msg_flags=0}, MSG_DONTWAIT) = 13")
    # Sent to an address or to the peer, each datagram is the server's in the Delivery view.
    flows = [flow for flow in analyse(conductor.events).flows if flow.transport == "UDP"]
    assert len(flows) == 1 and flows[0].sent == 3


def test_ancillary_data_is_refused_over_the_modelled_link_saying_why() -> None:
    conductor = Conductor(load_scenario(MESSAGES), link="lossy-wifi", seed=2)
    conductor.run()
    (refused,) = [e for e in conductor.events if e.kind == ev.RAISE and e.op == "sendmsg"]
    assert refused.errno in ("EOPNOTSUPP", "ENOTSUP") and "perfect link" in (refused.error or "")

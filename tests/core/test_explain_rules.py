"""What the explanation tab says for each kind of event, with the expected text written by hand.

An explanation is made of paragraphs (what the call does, what happened this time, for an error
its likely cause) separated by one blank line; a paragraph that has nothing to say is left out.
"""

from __future__ import annotations

from typing import Any

import pytest

from netlab.core.errors_explained import ERRORS, TIMEOUT
from netlab.core.events import Event, SockInfo
from netlab.core.explain import explain

TCP = SockInfo("client#1", 4, "AF_INET", "SOCK_STREAM", ["127.0.0.1", 40000], ["127.0.0.1", 5000])
UDP = SockInfo("server#2", 6, "AF_INET", "SOCK_DGRAM", ["127.0.0.1", 5000])

# The first words of what each call does, and how that paragraph ends.
WHAT = {
    "socket": ("socket() asks the kernel for a new socket", "(separate datagrams, no guarantee)."),
    "bind": ("bind() gives the socket its local address", "lets the kernel choose a free one."),
    "listen": (
        "listen() turns a bound TCP socket into a listening one",
        "until accept() takes them.",
    ),
    "accept": ("accept() takes the next connection", "ready for the next client."),
    "connect": ("connect() opens a TCP connection", "only fixes the default destination."),
    "connect_ex": ("connect_ex() is connect() that returns the error number", "still connecting."),
    "send": ("send() copies bytes into the kernel's send buffer", "or use sendall()."),
    "sendall": ("sendall() calls send() until every byte", "the kernel delivers them later."),
    "sendto": ("sendto() sends one UDP datagram", "if it is lost, nobody tells you."),
    "recv": ("recv(n) returns up to n bytes", "b'' means the peer closed its side (end of file)."),
    "recv_into": ("recv_into() is recv() that writes into a buffer you own", "its side."),
    "recvfrom": ("recvfrom(n) returns one whole UDP datagram", "and the rest is lost."),
    "setblocking": ("setblocking(False) makes calls return at once", "when nothing is ready."),
    "settimeout": ("settimeout(t) makes calls wait at most t seconds", "on the virtual clock."),
    "setsockopt": ("setsockopt() changes an option of the socket", "the receive buffer size."),
    "getsockname": ("getsockname() returns the socket's own address", "when it chose one)."),
    "getpeername": ("getpeername() returns the address of the other end", "of a connection."),
    "shutdown": ("shutdown() closes one direction", "while you can still receive."),
    "close": ("close() releases the socket", "passes through TIME-WAIT."),
    "select": ("select() waits until one of the sockets is ready", "many clients this way."),
    "poll": ("poll() waits until one of the registered sockets is ready", "descriptor numbers."),
    "epoll_wait": ("epoll.poll() waits", "however many sockets are watched."),
    "register": ("register() adds a socket to the selector's watch list", "you care about."),
    "modify": ("modify() changes which events the selector watches", "on a socket."),
    "unregister": ("unregister() stops watching a socket", "do it before you close it."),
    "sleep": ("time.sleep() pauses the actor", "instead of waiting."),
    "create_connection": ("socket.create_connection() is a helper", "show each call)."),
    "create_server": ("socket.create_server() is a helper", "SO_REUSEADDR, bind and listen."),
}

BLOCKED = (
    "This time nothing was ready, so client waits here: netlab lets the other actors run and "
    "resumes this call when the kernel says the socket is ready"
)


def event(op: str, kind: str = "return", **fields: Any) -> Event:
    return Event(seq=1, kind=kind, actor=fields.pop("actor", "client"), op=op, **fields)


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


@pytest.mark.parametrize("op", sorted(WHAT))
def test_every_call_says_what_it_does(op: str) -> None:
    first, last = WHAT[op]
    (what,) = paragraphs(explain(event(op)))
    assert what.startswith(first)
    assert what.endswith(last)


def test_a_call_netlab_has_no_words_for_says_nothing() -> None:
    assert explain(event("fileno", sock=TCP)) == ""


# -- blocked, woken ------------------------------------------------------------------------------


def test_a_blocked_call_waits_for_the_kernel() -> None:
    what, happened = paragraphs(explain(event("recv", kind="block", args=(10,), sock=TCP)))
    assert what.startswith(WHAT["recv"][0])
    assert happened == BLOCKED + "."


def test_a_blocked_call_with_a_timeout_waits_for_that_too() -> None:
    text = explain(event("recv", kind="block", args=(10,), result=5.0, sock=TCP))
    assert paragraphs(text)[1] == BLOCKED + " or its timeout passes."


def test_a_blocked_call_netlab_has_no_words_for_says_only_that_it_waits() -> None:
    text = explain(event("wait_for_it", kind="block", actor="server"))
    assert text == BLOCKED.replace("so client", "so server") + "."


def test_a_woken_call_can_go_on() -> None:
    assert explain(event("accept", kind="wake", actor="server")) == (
        "The kernel now says server's socket is ready, so its accept() can go on: the next step "
        "completes it."
    )


def test_a_call_woken_by_its_timeout() -> None:
    assert explain(event("recv", kind="wake", result="timeout")) == (
        "The virtual clock reached the timeout of client's recv()."
    )


# -- raised --------------------------------------------------------------------------------------

LABELS = ["What it means: ", "Usual cause: ", "Confirm: ", "In the code: "]


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_an_error_says_what_it_means_its_cause_how_to_confirm_it_and_the_fix(name: str) -> None:
    error = f"OSError: [Errno 1] {name.lower()} happened"
    text = explain(event("connect", kind="raise", errno=name, error=error, sock=TCP))
    what, happened, why = paragraphs(text)
    assert what.startswith(WHAT["connect"][0])
    assert happened == f"It failed: {error}."
    lines = why.splitlines()
    assert [line[: len(label)] for line, label in zip(lines, LABELS, strict=True)] == LABELS
    assert all(len(line) > len(label) + 10 for line, label in zip(lines, LABELS, strict=True))


def test_connection_refused_in_full() -> None:
    text = explain(
        event(
            "connect",
            kind="raise",
            errno="ECONNREFUSED",
            error="ConnectionRefusedError: [Errno 111] Connection refused",
            sock=TCP,
            args=(["127.0.0.1", 5000],),
        )
    )
    assert paragraphs(text)[1:] == [
        "It failed: ConnectionRefusedError: [Errno 111] Connection refused.",
        "What it means: nothing listens on that address and port: the kernel answered the SYN "
        "with RST.\n"
        "Usual cause: the server is not started yet, has ended, or bound another port or "
        "address.\n"
        "Confirm: `ss -ltn` lists no listening socket on that port (the Kernel tab neither).\n"
        "In the code: start the server first, connect to the port it bound; connect_ex() "
        "returns 111 instead of raising, to retry in a loop.",
    ]


def test_the_port_asked_for_is_in_the_command_that_confirms_it() -> None:
    bind = event("bind", kind="raise", errno="EADDRINUSE", error="x", args=(["127.0.0.1", 5000],))
    assert "`ss -tan | grep :5000`" in explain(bind)


def test_an_error_without_a_known_cause_says_only_that_it_failed() -> None:
    text = explain(event("close", kind="raise", errno="EWEIRD", error="OSError: odd", sock=TCP))
    assert paragraphs(text)[1:] == ["It failed: OSError: odd."]


def test_an_error_without_a_message() -> None:
    assert explain(event("frobnicate", kind="raise")) == "It failed: ."


def test_a_timeout_is_the_timeout_set_with_settimeout() -> None:
    text = explain(event("recv", kind="raise", error="TimeoutError: timed out", sock=TCP))
    assert paragraphs(text)[1:] == ["It failed: TimeoutError: timed out.", TIMEOUT.text()]
    assert TIMEOUT.text().startswith("What it means: the timeout set with settimeout() passed")
    text = explain(event("recv", kind="raise", errno="ETIMEDOUT", error="TimeoutError: x"))
    assert paragraphs(text)[2] == TIMEOUT.text()


def test_an_error_that_only_mentions_a_timeout_is_not_one() -> None:
    text = explain(event("recv", kind="raise", errno="EBADF", error="OSError: no TimeoutError"))
    assert paragraphs(text)[1:] == ["It failed: OSError: no TimeoutError.", ERRORS["EBADF"].text()]


def test_a_hostile_error_message_is_made_visible() -> None:
    text = explain(event("frob", kind="raise", error="OSError: \x1b[2J\u202egone"))
    assert text == "It failed: OSError: \\x1b[2J\\u202egone."


# -- returned ------------------------------------------------------------------------------------


def test_recv_that_got_bytes() -> None:
    text = explain(event("recv", args=(1024,), data=b"hello", data_len=5, sock=TCP))
    assert paragraphs(text)[1] == "5 bytes arrived."


def test_recv_counts_all_the_bytes_not_the_preview() -> None:
    text = explain(event("recv_into", data=b"x" * 256, data_len=10240, sock=TCP))
    assert paragraphs(text)[1] == "10240 bytes arrived."


def test_recv_of_nothing_on_a_stream_is_the_end_of_it() -> None:
    for op in ("recv", "recv_into"):
        text = explain(event(op, data=b"", data_len=0, sock=TCP))
        assert paragraphs(text)[1] == (
            "It returned b'': the peer has closed its side. No more data will come."
        )


def test_an_empty_datagram_is_not_the_end_of_anything() -> None:
    text = explain(event("recv", data=b"", data_len=0, sock=UDP))
    assert paragraphs(text)[1] == "0 bytes arrived."
    text = explain(event("recv", data=b"", data_len=0))  # no socket known
    assert paragraphs(text)[1] == "0 bytes arrived."


def test_recvfrom_of_nothing_on_a_stream_is_the_end_of_it_too() -> None:
    # recvfrom() on a TCP socket returns (b'', None) at the end of the stream, as recv() does.
    text = explain(event("recvfrom", data=b"", data_len=0, result=None, sock=TCP))
    assert paragraphs(text)[1] == (
        "It returned b'': the peer has closed its side. No more data will come."
    )


def test_a_receive_without_its_bytes_says_only_what_recv_does() -> None:
    (what,) = paragraphs(explain(event("recvfrom", data_len=3, sock=UDP)))
    assert what.startswith(WHAT["recvfrom"][0])


def test_send_says_how_many_bytes_the_kernel_took() -> None:
    text = explain(event("send", data=b"abc", data_len=10, result=4, sock=TCP))
    assert paragraphs(text)[1] == "The kernel took 4 bytes."
    text = explain(event("sendto", data=b"abc", data_len=3, result=3, sock=UDP))
    assert paragraphs(text)[1] == "The kernel took 3 bytes."


def test_sendall_and_a_send_without_a_count_say_only_what_the_call_does() -> None:
    assert len(paragraphs(explain(event("sendall", data=b"a", data_len=1, sock=TCP)))) == 1
    assert len(paragraphs(explain(event("send", data=b"a", data_len=1, result="4", sock=TCP)))) == 1


def test_accept_names_the_new_socket() -> None:
    new = SockInfo("server#7", 5, "AF_INET", "SOCK_STREAM", ["127.0.0.1", 5000])
    text = explain(event("accept", actor="server", sock=TCP, new_sock=new))
    assert paragraphs(text)[1] == "A client connected; the new socket server#7 is its connection."
    assert len(paragraphs(explain(event("accept", sock=TCP)))) == 1


def test_bind_says_the_socket_has_its_address() -> None:
    assert paragraphs(explain(event("bind", sock=TCP)))[1] == "The socket now has its address."
    unbound = SockInfo("client#2", 3, "AF_INET", "SOCK_STREAM")
    assert len(paragraphs(explain(event("bind", sock=unbound)))) == 1
    assert len(paragraphs(explain(event("bind")))) == 1


# -- the lab as a whole --------------------------------------------------------------------------


def test_an_actor_that_crashed_shows_its_traceback_as_it_is() -> None:
    traceback = 'Traceback (most recent call last):\n  File "a.py", line 1\nValueError: \x1b]0;x'
    text = explain(event("", kind="actor-exit", actor="server", error="ValueError", text=traceback))
    assert text == (
        "server raised an exception its code did not catch, so it ended; netlab stopped the "
        "other actors. Its own traceback:\n\n"
        'Traceback (most recent call last):\n  File "a.py", line 1\nValueError: \\x1b]0;x'
    )


def test_an_actor_that_finished_needs_no_explanation() -> None:
    assert explain(event("", kind="actor-exit", actor="server")) == ""


def test_the_end_of_a_run_that_crashed() -> None:
    assert explain(event("", kind="end", result="crashed")) == (
        "An actor raised an exception. Choose its 'crashed' row in the trace (↑) and this tab "
        "shows its traceback."
    )


def test_the_end_of_a_run_that_took_too_long() -> None:
    assert explain(event("", kind="end", result="timeout")) == (
        "An actor ran too long without a socket call (an endless loop?) and was stopped. "
        "Its last calls are the last rows of the trace."
    )


def test_the_end_of_a_run_that_completed_needs_no_explanation() -> None:
    assert explain(event("", kind="end", result="completed", text="every actor finished")) == ""


DEADLOCK = (
    "Every actor waits for another, and nothing else can happen: a deadlock. A classic cause: "
    "both peers call recv() first. One side must send before it receives."
)


@pytest.mark.parametrize(
    ("kind", "result"), [("deadlock", None), ("end", "deadlock")], ids=["deadlock", "end"]
)
def test_a_deadlock_names_each_actor_on_a_line(kind: str, result: object) -> None:
    report = (
        "server in recv() on server#2;  client in recv() on client#1 ; ;nothing can happen any more"
    )
    assert explain(event("", kind=kind, result=result, text=report)) == (
        DEADLOCK + "\n\n  server in recv() on server#2\n  client in recv() on client#1"
    )


def test_a_deadlock_report_is_made_visible() -> None:
    text = explain(event("", kind="deadlock", text="evil\x1b[2J in recv()"))
    assert text == DEADLOCK + "\n\n  evil\\x1b[2J in recv()"


def test_a_deadlock_with_no_names_says_only_what_a_deadlock_is() -> None:
    assert explain(event("", kind="deadlock", text="nothing can happen any more")) == DEADLOCK


def test_a_link_decision_is_netlab_s_not_the_kernel_s() -> None:
    lost = event(
        "datagram",
        kind="link",
        text="dropped: loss=0.2, draw=0.130, seed=42",
        extra={"modelled": True, "arrivals": []},
    )
    assert paragraphs(explain(lost)) == [
        "A decision of netlab's link model, not of the kernel: dropped: loss=0.2, draw=0.130, "
        "seed=42. The seed makes the same decisions every run.",
        "The link lost this datagram. UDP does not send it again and nobody tells the sender: "
        "the receiver never sees it.",
    ]


def test_what_the_kernel_refused_of_the_link_is_the_kernel_s() -> None:
    refused = event("kernel", kind="link", text="sendto failed: OSError", extra={})
    assert explain(refused) == (
        "The kernel refused what netlab's link handed it: sendto failed: OSError."
    )


def test_a_segment_lost_twice_and_held_behind_another_is_told_both_ways() -> None:
    segment = event(
        "segment",
        kind="link",
        text="segment #2 ...",
        extra={"modelled": True, "losses": 2, "arrive_at": 0.5, "release_at": 0.7},
    )
    _, lost, held = paragraphs(explain(segment))
    assert lost.startswith("The link lost this segment twice. TCP sends a lost segment again")
    assert held.endswith("the stream comes late, but whole and in order.")


def test_giving_way_is_explained() -> None:
    assert explain(event("recv", kind="yield", text="polling")) == (
        "Real processes run side by side; in netlab one actor runs at a time. An actor that "
        "polls (a non-blocking call that finds nothing, a select() that returns at once with "
        "nothing new) or runs long without waiting would keep the others from ever running, "
        "so it gives way here, and goes on when the actors that can run have had their turn."
    )


@pytest.mark.parametrize("kind", ["call", "kernel", "actor-start"])
def test_other_events_have_no_explanation_of_their_own(kind: str) -> None:
    assert explain(event("recv", kind=kind, text="x", result="crashed", sock=TCP)) == ""


def test_a_printed_line_and_a_note_say_what_they_are() -> None:
    printed = explain(event("stderr", kind="output", text="usage: x"))
    assert printed.startswith("A line client printed to its standard error, shown where it came")
    assert explain(event("say", kind="note", text="x")).startswith("A note: what the scenario")


# -- a UDP socket is explained as UDP ------------------------------------------------------------

CONNECTED_UDP = SockInfo(
    "client#1", 3, "AF_INET", "SOCK_DGRAM", ["127.0.0.1", 40000], ["127.0.0.1", 5000]
)


def test_a_refused_udp_socket_is_told_of_icmp_not_of_a_syn_and_rst() -> None:
    refused = event(
        "recv",
        "raise",
        sock=CONNECTED_UDP,
        errno="ECONNREFUSED",
        error="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    what, happened, why = paragraphs(explain(refused))
    assert what.startswith("recv(n) on a UDP socket returns one whole datagram")
    assert "byte stream" not in what and "end of file" not in what
    assert happened == "It failed: ConnectionRefusedError: [Errno 111] Connection refused."
    assert "ICMP 'port unreachable'" in why and "`ss -uln`" in why
    assert "SYN" not in why and "RST" not in why


@pytest.mark.parametrize("op", ["recv", "send"])
def test_recv_and_send_on_a_udp_socket_say_datagram(op: str) -> None:
    (what,) = paragraphs(explain(event(op, sock=CONNECTED_UDP)))
    assert "datagram" in what
    (what,) = paragraphs(explain(event(op, sock=TCP)))
    assert "datagram" not in what

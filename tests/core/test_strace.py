"""The strace line of a traced call, compared with what strace itself printed.

The expected lines were taken from a run by hand, ``strace -e trace=connect,sendto,recvfrom
python3 byhand.py`` (Linux 6.18, strace 6.1), where ``byhand.py`` is::

    import socket
    l = socket.create_server(("127.0.0.1", 5000))
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", 5000))
    c, _ = l.accept()
    s.setblocking(True)
    s.sendall(b'say "hi"\\\\ \\n\\x00\\xff')
    s.sendall(b"a" * 40)
    c.setblocking(False)
    c.recv(1024)
    c.recv(1024)  # nothing left: EAGAIN

(the client's descriptor was 4, the accepted one 5). Where netlab differs on purpose — it shows
no buffer address for a call that found nothing — only the part strace and netlab share is
compared.
"""

from __future__ import annotations

import errno
import socket

import pytest

from netlab.core import events as ev
from netlab.core.events import Event, SockInfo
from netlab.core.strace import syscall

CLIENT = SockInfo("client#1", 4, "AF_INET", "SOCK_STREAM", ["127.0.0.1", 40000], None)
ACCEPTED = SockInfo(
    "server#2", 5, "AF_INET", "SOCK_STREAM", ["127.0.0.1", 5000], ["127.0.0.1", 40000]
)
SERVER = ["127.0.0.1", 5000]

# As strace printed them (see the module's docstring).
STRACE_CONNECT = (
    'connect(4, {sa_family=AF_INET, sin_port=htons(5000), sin_addr=inet_addr("127.0.0.1")}, 16)'
    " = -1 EINPROGRESS (Operation now in progress)"
)
STRACE_SEND_QUOTES = r'sendto(4, "say \"hi\"\\ \n\0\377", 13, 0, NULL, 0) = 13'
STRACE_SEND_LONG = 'sendto(4, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"..., 40, 0, NULL, 0) = 40'
STRACE_RECV = (
    r'recvfrom(5, "say \"hi\"\\ \n\0\377aaaaaaaaaaaaaaaaaaa"..., 1024, 0, NULL, NULL) = 53'
)
STRACE_EAGAIN = " = -1 EAGAIN (Resource temporarily unavailable)"


def test_a_blocked_connect_is_the_einprogress_the_kernel_answered() -> None:
    blocked = Event(7, ev.BLOCK, "client", op="connect", args=(SERVER,), sock=CLIENT)
    assert syscall(blocked) == STRACE_CONNECT


def test_a_blocked_recv_is_the_eagain_the_kernel_answered() -> None:
    blocked = Event(9, ev.BLOCK, "server", op="recv", args=(1024,), sock=ACCEPTED)
    line = syscall(blocked)
    assert line.startswith("recvfrom(5, ")
    assert line.endswith(", 1024, 0, NULL, NULL)" + STRACE_EAGAIN)


def test_quotes_and_backslashes_in_a_buffer_are_escaped_as_strace_does() -> None:
    data = b'say "hi"\\ \n\x00\xff'
    sent = Event(8, ev.RETURN, "client", op="sendall", sock=CLIENT, data=data, data_len=13)
    assert syscall(sent) == STRACE_SEND_QUOTES


def test_a_buffer_is_shown_to_32_bytes_then_dots_as_strace_does() -> None:
    sent = Event(8, ev.RETURN, "client", op="sendall", sock=CLIENT, data=b"a" * 40, data_len=40)
    assert syscall(sent) == STRACE_SEND_LONG
    data = b'say "hi"\\ \n\x00\xff' + b"a" * 40
    received = Event(
        9, ev.RETURN, "server", op="recv", args=(1024,), sock=ACCEPTED, data=data, data_len=53
    )
    assert syscall(received) == STRACE_RECV


@pytest.mark.parametrize("kind", [ev.CALL, ev.OUTPUT, ev.LINK, ev.END])
def test_only_an_outcome_has_a_system_call(kind: str) -> None:
    assert syscall(Event(1, kind, "client", op="connect", args=(SERVER,), sock=CLIENT)) == ""


def test_the_kernel_answers_as_the_strace_lines_say() -> None:
    """The errors above, asked of the kernel by hand: a non-blocking connect on loopback is in
    progress, and a recv with nothing to read would block."""
    with socket.create_server(("127.0.0.1", 0)) as listener, socket.socket() as client:
        client.setblocking(False)
        assert client.connect_ex(listener.getsockname()) == errno.EINPROGRESS
        accepted, _ = listener.accept()
        with accepted:
            accepted.setblocking(False)
            with pytest.raises(BlockingIOError) as nothing:
                accepted.recv(1024)
            assert nothing.value.errno == errno.EAGAIN

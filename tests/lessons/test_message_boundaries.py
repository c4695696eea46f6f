"""message-boundaries: one recv returns the bytes of two sends; one send is read by several
recv(8) calls; a length prefix puts the messages back together."""

from __future__ import annotations

import struct

import pytest

from netlab.core import events as ev
from tests.lessons.course_runs import asked, calls, headless, printed, run_lesson

pytestmark = pytest.mark.timeout(60)
BODY = b"one send, 20 bytes!!"


def test_two_sends_come_in_one_recv_and_one_send_in_several() -> None:
    conductor = run_lesson("message-boundaries")
    assert conductor.outcome.kind == "completed"
    hello, world, *framed = calls(conductor, "sendall", "client")
    assert (hello.data, world.data) == (b"hello ", b"world")
    recvs = [e for e in calls(conductor, "recv", "server") if e.kind == ev.RETURN]
    # The first recv the server makes returns the bytes of both sends.
    assert recvs[0].data == hello.data + world.data
    assert recvs[0].step > world.step
    # One sendall of a length and 20 bytes ...
    assert framed[-1].data == struct.pack("!I", 20) + BODY
    # ... is read by recv(4), then recv(8), recv(8), recv(4): three pieces of one send.
    pieces = [e.data for e in recvs if e.step > framed[-1].step and e.data]
    assert pieces == [struct.pack("!I", 2), b"hi", struct.pack("!I", 20), *_pieces(BODY)]
    out = printed(conductor, "server")
    assert out == [
        "one recv returned b'hello world'",
        "a 2-byte message: b'hi'",
        f"a 20-byte message: {BODY!r}",
    ]

    joined, split = asked(conductor)
    assert joined.choice(joined.answer).startswith(repr(recvs[0].data))
    body_first = next(e for e in recvs if tuple(e.args) == (8,))
    assert body_first.data == BODY[:8] and split.choice(split.answer) == "the first 8 bytes"


def _pieces(body: bytes) -> list[bytes]:
    return [body[i : i + 8] for i in range(0, len(body), 8)]


def test_headless_exit_code() -> None:
    code, trace = headless("message-boundaries")
    assert code == 0, trace

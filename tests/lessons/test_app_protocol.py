"""app-protocol: messages of a 2-byte length, a JSON header and a body, split and joined by
recv(64); the receiver takes a message only when its buffer holds all of it."""

from __future__ import annotations

import json
import struct

import pytest

from netlab.core import events as ev
from tests.lessons.course_runs import asked, calls, headless, printed, run_lesson

pytestmark = pytest.mark.timeout(60)


def _lengths(stream: bytes) -> list[int]:
    """The length of each message in a stream of them, read as the protocol says."""
    lengths = []
    while stream:
        (header_length,) = struct.unpack("!H", stream[:2])
        header = json.loads(stream[2 : 2 + header_length])
        assert set(header) == {"content-type", "content-encoding", "content-length"}
        size = 2 + header_length + header["content-length"]
        lengths.append(size)
        stream = stream[size:]
    return lengths


def test_recv_splits_and_joins_messages_and_the_buffer_puts_them_together() -> None:
    conductor = run_lesson("app-protocol")
    assert conductor.outcome.kind == "completed"
    (sendall,) = calls(conductor, "sendall", "client")
    first, _ = _lengths(sendall.data)  # both requests in one sendall
    recvs = [e for e in calls(conductor, "recv", "server") if e.kind == ev.RETURN and e.data]
    assert all(tuple(e.args) == (64,) for e in recvs)
    assert b"".join(e.data for e in recvs) == sendall.data
    ends = [sum(e.data_len for e in recvs[: i + 1]) for i in range(len(recvs))]
    # Split: the first request did not come in one recv. Joined: the recv that completed it
    # also brought the start of the second.
    assert ends[0] < first
    joined = next(i for i, end in enumerate(ends) if end >= first)
    assert ends[joined] > first
    assert printed(conductor, "server") == [
        "request {'action': 'search', 'value': 'morpheus'}",
        "request {'action': 'search', 'value': 'unicorn'}",
    ]
    # The client's one recv brought both responses, and it took them apart.
    client_recv = calls(conductor, "recv", "client")[0]
    assert len(_lengths(client_recv.data)) == 2
    assert printed(conductor, "client") == [
        "response {'result': 'Follow the white rabbit. \U0001f430'}",
        "response {'result': 'No match.'}",
    ]

    # The question: after the second recv(64), one whole request is taken (printed) before
    # the server reads again.
    (question,) = asked(conductor)
    after_second = conductor.events.index(recvs[1])
    before_third = conductor.events.index(recvs[2])
    taken = [
        e
        for e in conductor.events[after_second:before_third]
        if e.kind == ev.OUTPUT and e.actor == "server"
    ]
    assert question.choice(question.answer) == "one" and len(taken) == 1
    assert f"2 requests in one sendall, the first {first} bytes long" in question.text


def test_headless_exit_code() -> None:
    code, trace = headless("app-protocol")
    assert code == 0, trace

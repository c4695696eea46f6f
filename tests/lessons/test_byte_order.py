"""byte-order: a length packed "<I" read with "!I" is a wrong number; packed "!I" it is right."""

from __future__ import annotations

import struct

import pytest

from netlab.core import events as ev
from tests.lessons.course_runs import asked, calls, headless, printed, run_lesson

pytestmark = pytest.mark.timeout(60)


def test_little_endian_read_as_network_order_is_a_wrong_number() -> None:
    conductor = run_lesson("byte-order")
    assert conductor.outcome.kind == "completed"
    first, second = calls(conductor, "sendall", "client")
    assert first.data[:4] == struct.pack("<I", 12) == b"\x0c\x00\x00\x00"
    assert second.data[:4] == struct.pack("!I", 12) == b"\x00\x00\x00\x0c"
    headers = [e for e in calls(conductor, "recv", "server") if tuple(e.args) == (4,)]
    assert [e.kind for e in headers] == [ev.RETURN, ev.RETURN]
    wrong, right = (struct.unpack("!I", e.data)[0] for e in headers)
    assert (wrong, right) == (201326592, 12)
    out = printed(conductor, "server")
    assert "first header 0c 00 00 00: length 201326592" in out
    assert "second header 00 00 00 0c: length 12" in out
    assert out.count("first body b'hello, world'") == 1

    (question,) = asked(conductor)
    assert question.choice(question.answer) == str(wrong)
    # asked just before the recv that read the little-endian header
    ask_at = next(i for i, e in enumerate(conductor.events) if e.op == "ask")
    after = [e for e in conductor.events[ask_at:] if e.actor == "server" and e.kind == ev.RETURN]
    assert after[0] is headers[0]


def test_headless_exit_code() -> None:
    code, trace = headless("byte-order")
    assert code == 0, trace

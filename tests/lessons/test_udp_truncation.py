"""udp-truncation: recvfrom(8) of a 20-byte datagram returns its first 8 bytes, and the next
recvfrom returns the next datagram (the tail is gone), though the link delivered everything."""

from __future__ import annotations

import pytest

from tests.lessons.course_runs import asked, calls, printed, run_lesson

pytestmark = pytest.mark.timeout(60)

DATAGRAM = b"0123456789abcdefghij"


def test_a_short_read_cuts_the_datagram_and_the_tail_is_gone() -> None:
    conductor = run_lesson("udp-truncation")
    assert conductor.outcome.kind == "completed"
    sends = calls(conductor, "sendto", "client")
    assert [e.result for e in sends] == [20, 6, 20, 20]
    reads = calls(conductor, "recvfrom", "server")
    assert [list(e.args) for e in reads] == [[8], [8], [65535]]
    assert [e.data for e in reads] == [DATAGRAM[:8], b"second", DATAGRAM]
    assert all(e.error is None for e in reads)  # no error says what was cut
    assert printed(conductor, "server")[1:] == [
        "second: b'second'",
        "third:  b'0123456789abcdefghij' (20 bytes, read with a 65535-byte buffer)",
        "fourth: b'01234567', cut: True",
    ]
    (flagged,) = calls(conductor, "recvmsg", "server")
    assert flagged.extra["msg_flags"] == "MSG_TRUNC"


def test_a_buffer_big_enough_cuts_nothing() -> None:
    conductor = run_lesson("udp-truncation", args={"size": 20})
    reads = calls(conductor, "recvfrom", "server")
    assert [e.data for e in reads] == [DATAGRAM, b"second", DATAGRAM]


def test_the_questions_agree_with_the_run() -> None:
    conductor = run_lesson("udp-truncation")
    first_q, second_q = asked(conductor)
    first, second, _ = calls(conductor, "recvfrom", "server")
    assert "thrown away" in first_q.choice(first_q.answer)
    assert first.data == DATAGRAM[:8] and second.data != DATAGRAM[8:]
    assert second_q.choice(second_q.answer) == "the second datagram, b'second'"
    assert second.data == b"second"

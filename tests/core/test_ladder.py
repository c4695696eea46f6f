"""The ladder diagram's rungs, drawn from a recording."""

from __future__ import annotations

from pathlib import Path

from netlab.core.recording import (
    read_recording,
)


def test_the_ladder_draws_connections_data_and_drops() -> None:
    from netlab.core.ladder import ARROW, DROP, MARK, rungs

    path = Path(__file__).parent.parent / "ui" / "fixtures" / "tcp_vs_udp.jsonl"
    drawn = rungs(read_recording(path).events)
    assert ("client-tcp", "server-tcp", "SYN") in {(r.source, r.target, r.label) for r in drawn}
    drops = [r for r in drawn if r.kind == DROP]
    assert drops and all((r.source, r.target) == ("client-udp", "server-udp") for r in drops)
    assert any(r.kind == ARROW and r.label.endswith("lost, resent") for r in drawn)  # TCP
    assert any(r.kind == MARK and r.label == "⏸ accept()" for r in drawn)

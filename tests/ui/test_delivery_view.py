"""The Delivery tab: its table, its strip and its legend tell one story (each message's fate),
on real runs."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from netlab.core.analysis import analyse
from netlab.core.conductor import Conductor
from netlab.core.events import Event
from netlab.core.scenario import load_scenario
from netlab.ui.widgets.details import FATE_MARKS, delivery

pytestmark = pytest.mark.timeout(60)


def drawn(events: list[Event]) -> str:
    console = Console(width=400, file=io.StringIO())
    console.print(delivery(analyse(events)))
    return console.file.getvalue()  # type: ignore[attr-defined]


def run(ref: str) -> Conductor:
    conductor = Conductor(load_scenario(ref))
    conductor.run()
    return conductor


def strip(text: str, flow: str) -> str:
    line = next(line for line in text.splitlines() if line.startswith(flow))
    return line[29:].split(" …")[0]


def test_kernel_drops_are_marked_as_the_table_counts_them() -> None:
    text = drawn(run("udp-kernel-drops").events)
    row = re.search(r"UDP to server#1\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", text)
    assert row is not None, text
    sent, read, lost, kernel = map(int, row.groups())
    assert (sent, lost) == (2000, 0) and read + kernel == sent
    marks = strip(text, "UDP to server#1")
    assert marks == "●" * read + "▼" * (200 - read)  # the first 200 of 2,000
    assert "…1800 more" in text
    assert text.splitlines()[-1].strip() == "● read  ▼ dropped by the receiver's kernel"


def test_a_datagram_to_a_port_nobody_has_is_not_called_arrived(tmp_path: Path) -> None:
    lab = tmp_path / "nobody.py"
    lab.write_text(
        "from netlab import Scenario\n"
        "lab = Scenario('udp to nobody')\n"
        "@lab.actor('client')\n"
        "def client(ctx):\n"
        "    import socket\n"
        "    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:\n"
        "        for _ in range(4):\n"
        "            s.sendto(b'hi', (ctx.host, ctx.port))\n"
    )
    text = drawn(run(str(lab)).events)
    assert "⊘⊘⊘⊘" in text and "●" not in text
    assert "⊘ no lab socket at that address" in text


def test_a_tcp_message_not_yet_read_is_not_marked_lost() -> None:
    conductor = run("tcp-echo")
    first_hello = next(e for e in conductor.events if e.kind == "return" and e.op == "sendall")
    text = drawn(conductor.events[: first_hello.seq])
    assert "✗" not in text and "○ arrived, not read" in text


def test_every_fate_has_a_mark_of_its_own() -> None:
    from netlab.core import analysis

    fates = {
        value for name, value in vars(analysis).items() if name.isupper() and isinstance(value, str)
    }
    assert set(FATE_MARKS) == fates
    assert len({mark for mark, _ in FATE_MARKS.values()}) == len(FATE_MARKS)

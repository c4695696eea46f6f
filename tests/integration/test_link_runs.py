"""The link with real actors on real loopback sockets: what arrives, when, and the accounting."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from netlab.core import events as ev
from netlab.core import reducer
from netlab.core.analysis import analyse
from netlab.core.conductor import COMPLETED, Conductor
from netlab.core.scenario import load_scenario

pytestmark = pytest.mark.timeout(30)


def run(ref: str | Path, **kwargs: object) -> Conductor:
    conductor = Conductor(load_scenario(ref), **kwargs)  # type: ignore[arg-type]
    outcome = conductor.run()
    assert outcome.kind == COMPLETED, outcome.message
    return conductor


def scenario(tmp_path: Path, body: str, link: str) -> Path:
    path = tmp_path / "lab.py"
    head = '"""A test lab."""\nfrom netlab import Link, Scenario\n\n'
    head += f'lab = Scenario("t", link={link})\n'
    path.write_text(head + textwrap.dedent(body))
    return path


def outputs(conductor: Conductor, actor: str) -> list[str]:
    return [e.text for e in conductor.events if e.kind == ev.OUTPUT and e.actor == actor]


UDP_COUNTED = re.compile(r"UDP: (\d+) datagrams, (\d+) distinct, \d+ late")


def udp_counted(line: str) -> tuple[int, int]:
    """What the UDP receiver counted itself: datagrams read, and distinct numbers among them."""
    found = UDP_COUNTED.fullmatch(line)
    assert found, line
    return int(found[1]), int(found[2])


def test_tcp_vs_udp_keeps_every_identity() -> None:
    """The analysis, made from the events, against what is known without it: the scenario
    sends 50 numbered 7-byte messages each way, and each receiver counts what it read. Every
    number the UDP receiver never read was lost on the link; every one it read twice came
    twice (no kernel drops at this rate; it reads until a second passes with nothing)."""
    conductor = run("tcp-vs-udp")
    assert outputs(conductor, "server-tcp") == ["TCP: 50 messages, in order"]
    (udp_line,) = outputs(conductor, "server-udp")
    read, distinct = udp_counted(udp_line)
    flows = {flow.transport: flow for flow in analyse(conductor.events).flows}
    tcp, udp = flows["TCP"], flows["UDP"]
    assert (tcp.sent, tcp.delivered, tcp.in_order) == (50, 50, True)
    assert tcp.sent_bytes == tcp.delivered_bytes == 50 * 7
    assert tcp.retransmitted > 0  # the lossy link did lose TCP segments ...
    assert (udp.sent, udp.sent_bytes) == (50, 50 * 7)
    assert (udp.delivered, udp.delivered_bytes) == (read, read * 7)
    assert udp.dropped_link == 50 - distinct > 0  # ... and UDP datagrams
    assert udp.duplicated == read - distinct
    assert (udp.dropped_kernel, udp.unread) == (0, 0)
    assert tcp.balanced() and udp.balanced()


def test_the_same_seed_gives_the_same_link_decisions_and_another_seed_others() -> None:
    def decisions(seed: int) -> list[str]:
        events = run("tcp-vs-udp", seed=seed).events
        return [e.text.split(" from ")[1] for e in events if e.kind == ev.LINK]

    first = decisions(7)
    assert first == decisions(7)
    assert first != decisions(8)


def test_kernel_drops_are_counted_by_the_kernel() -> None:
    conductor = run("udp-kernel-drops")
    (flow,) = analyse(conductor.events).flows
    assert flow.dropped_link == 0
    assert flow.dropped_kernel > 0
    assert flow.unread == 0
    assert flow.sent == flow.delivered + flow.dropped_kernel == 2000
    assert outputs(conductor, "server") == [f"read {flow.delivered} of 2000 datagrams"]


SENDER_LEAVES = """
@lab.actor("server")
def server(ctx):
    import socket
    with socket.socket() as s:
        s.bind((ctx.host, ctx.port))
        s.listen()
        conn, _ = s.accept()
        data = b""
        while chunk := conn.recv(1000):
            data += chunk
        print(len(data), data[:5], data[-5:])

@lab.actor("client")
def client(ctx):
    import socket
    s = socket.create_connection((ctx.host, ctx.port))
    s.sendall(bytes(range(256)) * 40)
    # The actor ends at once: the data is still on the link, and must arrive all the same,
    # before the end of the stream.
"""


def test_data_is_delivered_after_its_sender_has_finished(tmp_path: Path) -> None:
    path = scenario(tmp_path, SENDER_LEAVES, "Link(loss=0.2, delay=30, jitter=20, segment=500)")
    conductor = run(path)
    assert outputs(conductor, "server") == [
        r"10240 b'\x00\x01\x02\x03\x04' b'\xfb\xfc\xfd\xfe\xff'"
    ]
    exits = [e for e in conductor.events if e.kind == ev.ACTOR_EXIT]
    assert exits[0].actor == "client"  # the sender was gone before the data arrived
    (flow,) = analyse(conductor.events).flows
    assert flow.in_order is True
    assert (flow.sent_bytes, flow.delivered_bytes) == (10240, 10240)
    # One sendall of 10,240 bytes (an event keeps 256 of them): counted whole, as the server did.
    state = reducer.reduce(conductor.events)
    assert state.actors["client"].sockets["client#1"].bytes_out == 10240
    assert sum(s.bytes_in for s in state.actors["server"].sockets.values()) == 10240


ECHO_WITH_SHUTDOWN = """
@lab.actor("server")
def server(ctx):
    import socket
    with socket.socket() as s:
        s.bind((ctx.host, ctx.port))
        s.listen()
        conn, _ = s.accept()
        with conn:
            pieces = []
            while chunk := conn.recv(1000):
                pieces.append(len(chunk))
            conn.sendall(b"got %d bytes in %d reads" % (sum(pieces), len(pieces)))

@lab.actor("client")
def client(ctx):
    import socket
    with socket.create_connection((ctx.host, ctx.port)) as s:
        s.sendall(b"x" * 20)
        s.shutdown(socket.SHUT_WR)  # the FIN must follow the data, not overtake it
        print(s.recv(100).decode())
"""


def test_a_stream_is_cut_into_segments_and_the_fin_stays_behind_the_data(tmp_path: Path) -> None:
    path = scenario(tmp_path, ECHO_WITH_SHUTDOWN, "Link(delay=10, jitter=5, segment=5)")
    conductor = run(path)
    (line,) = outputs(conductor, "client")
    assert line.startswith("got 20 bytes in ")
    reads = int(line.split(" in ")[1].split()[0])
    assert reads > 1  # recv saw other boundaries than the one sendall made
    segments = [e for e in conductor.events if e.kind == ev.LINK and e.op == "segment"]
    assert len(segments) == 20 // 5 + -(-len(line) // 5)  # 5-byte segments each way


def test_run_json_includes_the_analysis() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "netlab", "run", "tcp-vs-udp", "--json", "--seed", "3"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    flows = {flow["transport"]: flow for flow in document["analysis"]["flows"]}
    assert set(flows) == {"TCP", "UDP"}
    tcp, udp = flows["TCP"], flows["UDP"]
    assert (tcp["sent"], tcp["delivered"], tcp["delivered_bytes"]) == (50, 50, 50 * 7)
    assert (tcp["in_order"], tcp["balanced"]) == (True, True)
    printed = [e["text"] for e in document["events"] if e["kind"] == "output"]
    read, distinct = udp_counted(next(line for line in printed if line.startswith("UDP:")))
    assert (udp["sent"], udp["delivered"], udp["unread"]) == (50, read, 0)
    assert (udp["dropped_link"], udp["duplicated"]) == (50 - distinct, read - distinct)
    assert udp["balanced"] is True
    assert document["seed"] == 3
    assert document["link"]["loss"] == 0.12


def test_headless_output_ends_with_the_side_by_side_summary() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "netlab", "run", "tcp-vs-udp", "--link", "lossy-wifi"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    tail = result.stdout.splitlines()[-9:]
    assert tail[0].startswith("TCP vs UDP")
    assert tail[2].split()[:4] == ["messages", "sent", "50", "50"]
    assert "link lossy-wifi" in result.stdout.splitlines()[1]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--link", "wifi"],
            "link 'wifi': unknown; use a preset "
            "(perfect, lan, lossy-wifi, mobile-3g, satellite) or Link(...)",
        ),
    ],
)
def test_a_bad_link_is_refused_before_any_actor_starts(args: list[str], expected: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "netlab", "run", "tcp-echo", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"netlab: {expected}"
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_scenario_with_bad_link_settings_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = scenario(tmp_path, SENDER_LEAVES, "Link(loss=1)")
    result = subprocess.run(
        [sys.executable, "-m", "netlab", "run", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "line 4" in result.stderr and "loss=1" in result.stderr and "TCP" in result.stderr
    assert "Traceback" not in result.stderr

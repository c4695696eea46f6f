"""Programs outside the lab (nc in another terminal, say) connecting to its servers, or its
clients connecting to theirs: their side is untraced, said so, and the run is marked as not
repeatable. Let in on purpose with ``outside=True`` (--outside)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from netlab.core import events as ev
from netlab.core import ladder
from netlab.core.analysis import OUTSIDE, analyse
from netlab.core.conductor import COMPLETED, Conductor, InputError
from netlab.core.ladder import rungs
from netlab.core.ports import LOOPBACK, free_ports
from netlab.core.programs import lab_ref
from netlab.core.scenario import load_scenario

pytestmark = pytest.mark.timeout(60)
PROGRAMS = Path(__file__).parent.parent / "programs"


def _notes(conductor: Conductor) -> list[str]:
    return [e.text for e in conductor.events if e.kind == ev.NOTE]


def test_an_outside_program_is_served_by_a_lab_waiting_for_it_and_said_to_be_outside() -> None:
    port = free_ports(1, LOOPBACK)[0]
    listening, accepted = threading.Event(), threading.Event()

    def heard(event: ev.Event) -> None:
        if event.kind == ev.RETURN and event.op in ("listen", "accept"):
            (listening if event.op == "listen" else accepted).set()

    conductor = Conductor(
        load_scenario(lab_ref([f"{PROGRAMS / 'upper_server.py'} {LOOPBACK} {port}"])),
        outside=True,
        time_limit=20,
        on_event=heard,
    )
    lab = threading.Thread(target=conductor.run)
    lab.start()
    assert listening.wait(10)
    with socket.create_connection((LOOPBACK, port)) as outsider:  # as nc would
        outsider.sendall(b"hi from outside")
        assert outsider.recv(100) == b"HI FROM OUTSIDE"
        # A person would take longer than the lab to hang up: its accept is heard of first
        # (the end of a connection gone from the kernel's tables cannot be named).
        assert accepted.wait(10)
    lab.join(20)
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    assert "cannot be repeated exactly" in conductor.outcome.message
    notes = _notes(conductor)
    assert f"{LOOPBACK}:{port} listens: a program outside the lab may connect" in notes[0]
    assert "outside the lab: its side is not traced" in notes[1]
    assert "cannot be repeated exactly" in conductor.outcome.message
    flows = {flow.name: flow for flow in analyse(conductor.events).flows}
    to_outside = next(flow for flow in flows.values() if flow.lab_sender)
    from_outside = next(flow for flow in flows.values() if not flow.lab_sender)
    assert (to_outside.lab_receiver, to_outside.sent_bytes) == (False, 15)
    assert from_outside.delivered_bytes == 15
    fates = {fate.fate for fate in analyse(conductor.events).messages}
    assert fates == {OUTSIDE}
    crossings = [
        (rung.source, rung.target, rung.label)
        for rung in rungs(conductor.events)
        if ladder.OUTSIDE in (rung.source, rung.target)
    ]
    server = "upper_server"
    assert crossings == [
        (ladder.OUTSIDE, server, "SYN"),
        (server, ladder.OUTSIDE, "SYN-ACK"),
        (ladder.OUTSIDE, server, "ACK"),
        (ladder.OUTSIDE, server, "b'hi from outsid'…"),
        (server, ladder.OUTSIDE, "b'HI FROM OUTSID'…"),
        (server, ladder.OUTSIDE, "FIN"),
    ]


def test_a_lab_client_that_reaches_a_server_outside_the_lab_is_told_so() -> None:
    with socket.create_server((LOOPBACK, 0)) as server:  # a server of the test's own
        port = server.getsockname()[1]
        conductor = Conductor(
            load_scenario(lab_ref([f"{PROGRAMS / 'one_shot_client.py'} {LOOPBACK} {port}"]))
        )
        conductor.run()
    assert conductor.outcome is not None and conductor.outcome.kind == COMPLETED
    note = next(text for text in _notes(conductor) if "outside the lab" in text)
    assert f"at {LOOPBACK}:{port}, outside the lab" in note
    assert "start the lab with --outside" in note  # it came in without being let in


def test_a_lab_s_own_connections_are_never_said_to_be_outside() -> None:
    conductor = Conductor(load_scenario("tcp-echo"))
    conductor.run()
    assert not [e for e in conductor.events if "outside" in e.extra]
    assert not [text for text in _notes(conductor) if "outside the lab" in text]


def test_outside_programs_need_the_perfect_link() -> None:
    with pytest.raises(InputError, match="--outside needs the perfect link"):
        Conductor(load_scenario("tcp-echo"), outside=True, link="lossy-wifi")


def test_a_lab_waiting_for_outside_programs_ends_at_its_time_limit_saying_so() -> None:
    port = free_ports(1, LOOPBACK)[0]
    command = ["run", f"upper_server.py {LOOPBACK} {port}", "--outside", "--timeout", "0.5"]
    with contextlib.chdir(PROGRAMS):
        result = subprocess.run(
            [sys.executable, "-m", "netlab", *command],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 4
    assert "time limit of 0.5 s reached waiting for programs outside the lab" in result.stdout
    assert "upper_server in accept()" in result.stdout


BINDS = """from netlab import Scenario
lab = Scenario('binds')

@lab.actor('binder')
def binder(ctx):
    import socket
    for family, host in [(socket.AF_INET, '127.0.0.1'), (socket.AF_INET, 'localhost'),
                         (socket.AF_INET6, '::1'), (socket.AF_INET, ''),
                         (socket.AF_INET, '0.0.0.0'), (socket.AF_INET6, '::'),
                         (socket.AF_INET, '127.0.0.2'), (socket.AF_INET6, '::ffff:127.0.0.1')]:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            try:
                sock.bind((host, 0))
                print(host or "''", 'bound')
            except PermissionError as exc:
                print(host or "''", 'refused', 'netlab keeps a lab on loopback' in str(exc))
    with socket.socket() as sock:  # unbound, listen() would take every address
        try:
            sock.listen()
            print('listen bound')
        except PermissionError as exc:
            print('listen refused', 'netlab keeps a lab on loopback' in str(exc))
"""


@pytest.mark.parametrize("outside", [False, True])
def test_binding_beyond_loopback_is_refused_unless_outside_programs_are_let_in(
    outside: bool, tmp_path: Path
) -> None:
    lab = tmp_path / "binds.py"
    lab.write_text(BINDS)
    conductor = Conductor(load_scenario(str(lab)), outside=outside)
    conductor.run()
    printed = [e.text for e in conductor.events if e.kind == ev.OUTPUT]
    wide = "bound" if outside else "refused True"
    assert printed == [
        "127.0.0.1 bound",
        "localhost bound",
        "::1 bound",
        f"'' {wide}",
        f"0.0.0.0 {wide}",
        f":: {wide}",
        "127.0.0.2 bound",
        "::ffff:127.0.0.1 bound",
        f"listen {wide}",
    ]


def test_with_outside_programs_let_in_the_virtual_clock_keeps_to_real_time() -> None:
    """A server that waits with a timeout, in a loop, for outside programs: its timeouts come
    in real time (they would come all at once on the virtual clock, ahead of any program)."""
    port = free_ports(1, LOOPBACK)[0]
    ref = lab_ref([f"{PROGRAMS / 'timeout_loop_server.py'} {port}"])
    conductor = Conductor(load_scenario(ref), outside=True, time_limit=1.5)
    conductor.run()
    assert conductor.outcome is not None and conductor.outcome.kind == "timeout"
    assert "waiting for programs outside the lab" in conductor.outcome.message
    assert conductor.vtime <= 2.0  # one or two 1 s timeouts in 1.5 s, not thousands
